package io.tether.netty.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A {@link TestHttpServer} in its own JVM, so a test can kill it with SIGKILL: the kernel then closes
 * its sockets behind its back, as when a backend crashes.
 */
public final class BackendProcess implements AutoCloseable {
  private final Process process;
  public final int port;

  private BackendProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts {@code name} on {@code host} (any free port) and waits until it listens. */
  public static BackendProcess start(String name, String host) throws IOException, InterruptedException {
    return start(name, host, 0);
  }

  /** Starts {@code name} on {@code host:port} (0 for any free port) and waits until it listens. */
  public static BackendProcess start(String name, String host, int port) throws IOException, InterruptedException {
    String java = System.getProperty("java.home") + "/bin/java";
    Process p = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
        BackendProcess.class.getName(), name, host, Integer.toString(port)).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("READY ")) {
        return new BackendProcess(p, Integer.parseInt(line.substring(6).trim()));
      }
    }
    throw new IOException("backend " + name + " exited before it was ready: " + p.waitFor(1, TimeUnit.SECONDS));
  }

  /**
   * SIGSTOP: the process stops but its sockets stay open; the kernel still completes connects into the
   * listen backlog, so a TCP check passes while nothing answers a request. Undo with {@link #thaw()}.
   */
  public void freeze() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** SIGCONT after {@link #freeze()}. */
  public void thaw() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
  }

  /** SIGKILL: no shutdown hook, no graceful close. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(5, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    try {
      kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static void main(String[] args) throws Exception {
    TestHttpServer server = TestHttpServer.plain(args[0], args[1], args.length > 2 ? Integer.parseInt(args[2]) : 0);
    System.out.println("READY " + server.port());
    System.out.flush();
    Thread.currentThread().join();
  }
}
