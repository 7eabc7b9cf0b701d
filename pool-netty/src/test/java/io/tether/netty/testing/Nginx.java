package io.tether.netty.testing;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx (the Debian package's binary) in the foreground, on a config the test writes, in a
 * temporary directory it owns; stopped on close.
 */
public final class Nginx implements AutoCloseable {
  private final Process process;
  private final Path dir;
  public final String host;
  public final int port;

  private Nginx(Process process, Path dir, String host, int port) {
    this.process = process;
    this.dir = dir;
    this.host = host;
    this.port = port;
  }

  private static final String[] PATHS = {"/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"};

  /** {@return the installed nginx binary, or null} */
  private static String installed() {
    for (String p : PATHS) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    return null;
  }

  /** Whether an nginx binary is installed. */
  public static boolean available() {
    return installed() != null;
  }

  public static String binary() {
    String p = installed();
    if (p == null) {
      throw new AssertionError("nginx is not installed: run the README's test command (bash scripts/test.sh "
          + "installs it) or apt-get install nginx-light");
    }
    return p;
  }

  /** The directory static files are served from ({@code root} of the server). */
  public Path www() {
    return dir.resolve("www");
  }

  /**
   * Starts nginx with {@code http} as the body of its {@code http} block, where {@code @ADDR@} is the
   * listen address and {@code @DIR@} the temporary directory.
   */
  public static Nginx start(String host, String http, java.util.function.Consumer<Path> files)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("tether-nginx");
    Files.createDirectories(dir.resolve("www"));
    Files.createDirectories(dir.resolve("tmp"));
    files.accept(dir.resolve("www"));
    // Run as root, nginx serves files from worker processes running as its unprivileged user.
    java.util.Set<java.nio.file.attribute.PosixFilePermission> readable =
        java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x");
    Files.setPosixFilePermissions(dir, readable);
    Files.setPosixFilePermissions(dir.resolve("www"), readable);
    try (java.util.stream.Stream<Path> served = Files.list(dir.resolve("www"))) {
      for (Path f : served.toList()) {
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      }
    }
    int port = Loopback.freePort(host);
    String conf = "worker_processes 1;\ndaemon off;\npid " + dir.resolve("nginx.pid") + ";\nerror_log "
        + dir.resolve("error.log") + " info;\nevents { worker_connections 256; }\nhttp {\n  access_log off;\n"
        + "  client_body_temp_path " + dir.resolve("tmp") + ";\n  proxy_temp_path " + dir.resolve("tmp") + ";\n"
        + "  fastcgi_temp_path " + dir.resolve("tmp") + ";\n  uwsgi_temp_path " + dir.resolve("tmp") + ";\n"
        + "  scgi_temp_path " + dir.resolve("tmp") + ";\n"
        + http.replace("@ADDR@", host + ":" + port).replace("@DIR@", dir.toString()) + "\n}\n";
    Files.writeString(dir.resolve("nginx.conf"), conf);
    Process p = new ProcessBuilder(binary(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < until) {
      if (!p.isAlive()) {
        throw new AssertionError("nginx exited: " + Files.readString(dir.resolve("stdout.log")) + "\n" + conf);
      }
      try (Socket s = new Socket(host, port)) {
        return new Nginx(p, dir, host, port);
      } catch (IOException notYet) {
        Thread.sleep(20);
      }
    }
    p.destroyForcibly();
    throw new AssertionError("nginx did not listen on " + host + ":" + port);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy(); // SIGTERM: fast shutdown
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
