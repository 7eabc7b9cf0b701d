package io.tether.netty.testing;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.tether.netty.server.ServerDrain;
import io.tether.pool.haproxy.DrainSequence;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A {@link TestHttpServer} in its own JVM, so a test can kill it with SIGKILL: the kernel then closes
 * its sockets behind its back, as when a backend crashes. Or a {@link DrainableBackend} whose JVM drains
 * it from a shutdown hook, for SIGTERM.
 */
public final class BackendProcess implements AutoCloseable {
  private final Process process;
  private final BufferedReader out;
  public final int port;

  private BackendProcess(Process process, BufferedReader out, int port) {
    this.process = process;
    this.out = out;
    this.port = port;
  }

  /** Starts {@code name} on {@code host} (any free port) and waits until it listens. */
  public static BackendProcess start(String name, String host) throws IOException, InterruptedException {
    return start(name, host, 0);
  }

  /** Starts {@code name} on {@code host:port} (0 for any free port) and waits until it listens. */
  public static BackendProcess start(String name, String host, int port) throws IOException, InterruptedException {
    return launch(name, host, port, "plain");
  }

  /**
   * Starts a {@link DrainableBackend} named {@code name} on {@code host} (any free port) whose JVM
   * drains it from a shutdown hook: {@link #terminate()} then takes it out as a deploy would.
   */
  public static BackendProcess startDraining(String name, String host) throws IOException, InterruptedException {
    return launch(name, host, 0, "drain");
  }

  private static BackendProcess launch(String name, String host, int port, String mode)
      throws IOException, InterruptedException {
    String java = System.getProperty("java.home") + "/bin/java";
    Process p = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
        BackendProcess.class.getName(), name, host, Integer.toString(port), mode).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("READY ")) {
        return new BackendProcess(p, out, Integer.parseInt(line.substring(6).trim()));
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

  /**
   * SIGTERM, as a deploy stops a service: shutdown hooks run. Waits up to {@code seconds} for the exit.
   *
   * @return the exit code (143 after SIGTERM), and everything the process printed after it was ready
   */
  public String terminate(long seconds) throws IOException, InterruptedException {
    signal("TERM"); // not Process.destroy(): that also closes our end of its output
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new AssertionError("no exit within " + seconds + " s of SIGTERM");
    }
    StringBuilder rest = new StringBuilder("exit " + process.exitValue() + "\n");
    String line;
    while ((line = out.readLine()) != null) {
      rest.append(line).append('\n');
    }
    return rest.toString();
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
    int port = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    if (args.length > 3 && args[3].equals("drain")) {
      EventLoopGroup group = new NioEventLoopGroup(1);
      DrainableBackend backend = new DrainableBackend(group, args[0], args[1], port, -1);
      ServerDrain drain = backend.drain;
      // snippet: shutdown-hook
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        // SIGTERM: tell HAProxy, let it stop sending, close each connection cleanly, then the listener.
        DrainSequence.Report report = drain.start().orTimeout(30, TimeUnit.SECONDS).join();
        System.out.println("drained: " + report);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      }, "tether-drain"));
      // end-snippet
      System.out.println("READY " + backend.port());
    } else {
      TestHttpServer server = TestHttpServer.plain(args[0], args[1], port);
      System.out.println("READY " + server.port());
    }
    System.out.flush();
    Thread.currentThread().join();
  }
}
