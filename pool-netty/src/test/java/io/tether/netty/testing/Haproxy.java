package io.tether.netty.testing;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code haproxy} process for a test: writes the config it is given (with a global section and
 * an admin stats socket added), starts {@code haproxy -db} on it, waits until every checked server is
 * UP according to the stats socket, and kills the process on {@link #close()}.
 *
 * <p>Config text may use {@code ${dir}} for the process's temporary directory.
 */
public final class Haproxy implements AutoCloseable {
  private final Path dir;
  private final String cpus;
  private final Path socket;
  private final Path log;
  private volatile Process process;
  private final List<Process> retired = new CopyOnWriteArrayList<>();
  private final List<Duration> oldLifetimes = new CopyOnWriteArrayList<>();

  private Haproxy(Path dir, String cpus, Process process) {
    this.dir = dir;
    this.cpus = cpus;
    this.socket = dir.resolve("admin.sock");
    this.log = dir.resolve("haproxy.log");
    this.process = process;
  }

  private static Process launch(Path dir, String cpus, String... extra) throws IOException {
    java.util.List<String> cmd = new ArrayList<>();
    if (cpus != null) {
      // Benchmarks give HAProxy its own core, so it and the JVM under test never share one.
      cmd.addAll(java.util.List.of("taskset", "-c", cpus));
    }
    cmd.addAll(java.util.List.of(binary(), "-db", "-f", dir.resolve("haproxy.cfg").toString()));
    cmd.addAll(java.util.List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("haproxy.log").toFile()));
    return pb.start();
  }

  /**
   * A seamless soft reload, as {@code systemctl reload haproxy} does: a new process on the same
   * configuration takes the listening sockets over from the old one ({@code -x}, through the stats
   * socket's {@code expose-fd listeners}) and asks it ({@code -sf <pid>}) to finish its sessions and exit.
   * Returns once the new process answers on the stats socket.
   */
  public void reload() throws IOException, InterruptedException {
    Process old = process;
    // -x: the new process takes the listening sockets over from the old one instead of binding its own,
    // so no connection waiting in the old one's accept queue is reset when it stops listening.
    Process fresh = launch(dir, cpus, "-x", socket.toString(), "-sf", Long.toString(old.pid()));
    retired.add(old);
    long reloadedAt = System.nanoTime();
    old.onExit().thenRun(() -> oldLifetimes.add(Duration.ofNanos(System.nanoTime() - reloadedAt)));
    process = fresh;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try {
        if (command("show info").contains("Pid: " + fresh.pid())) {
          return;
        }
      } catch (IOException notYet) {
        // the new process has not bound the stats socket yet
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
    throw new AssertionError("reloaded haproxy not ready:\n" + output());
  }

  /** For each process replaced by {@link #reload()} that has exited: from its reload to its exit. */
  public List<Duration> oldProcessLifetimes() {
    return List.copyOf(oldLifetimes);
  }

  /** Whether every process replaced by {@link #reload()} has finished its sessions and exited. */
  public boolean oldProcessesExited() {
    return retired.stream().noneMatch(Process::isAlive);
  }

  /** Stops HAProxy at once (SIGTERM), as a crash or a hard restart would. */
  public void stop() throws InterruptedException {
    process.destroy();
    process.waitFor(5, TimeUnit.SECONDS);
  }

  /** Starts it again after {@link #stop()}, on the same configuration and ports. */
  public void start() throws IOException, InterruptedException {
    process = launch(dir, cpus);
    awaitReady(Duration.ofSeconds(10));
  }

  /** The haproxy binary, or a clear failure naming the package to install. */
  public static String binary() {
    for (String p : new String[] {"/usr/sbin/haproxy", "/usr/local/sbin/haproxy", "/usr/bin/haproxy"}) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    throw new AssertionError(
        "haproxy is not installed: run the README's test command (bash scripts/test.sh installs it) "
            + "or apt-get install haproxy");
  }

  /** What {@code haproxy -c} said about a configuration: its exit status and its output. */
  public record Check(int exit, String output) {}

  /** Runs {@code haproxy -c -f cfg} with {@code env} added to the environment, and waits for it. */
  public static Check check(Path cfg, java.util.Map<String, String> env) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(binary(), "-c", "-f", cfg.toString()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("haproxy -c -f " + cfg + " did not finish in 30 s:\n" + out);
    }
    return new Check(p.exitValue(), out);
  }

  /** {@link #check(Path, java.util.Map)} with the environment as it is. */
  public static Check check(Path cfg) throws IOException, InterruptedException {
    return check(cfg, java.util.Map.of());
  }

  /** Starts HAProxy on {@code sections} (defaults, listen, frontend, backend...). */
  public static Haproxy start(String sections) throws IOException, InterruptedException {
    return start(sections, null);
  }

  /**
   * As {@link #start(String)}, bound to the CPUs {@code cpus} (a {@code taskset -c} list such as "0"),
   * or unbound if null.
   */
  public static Haproxy start(String sections, String cpus) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("tether-haproxy");
    String global =
        "global\n"
            + "  stats socket " + dir.resolve("admin.sock") + " mode 600 level admin expose-fd listeners\n"
            + "  stats timeout 10s\n"
            + "  maxconn 4096\n\n";
    Path cfg = dir.resolve("haproxy.cfg");
    Files.writeString(cfg, global + sections.replace("${dir}", dir.toString()));
    Haproxy h = new Haproxy(dir, cpus, launch(dir, cpus));
    try {
      h.awaitReady(Duration.ofSeconds(10));
    } catch (RuntimeException | Error e) {
      h.close();
      throw e;
    }
    return h;
  }

  private void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String lastProblem = "no stats socket yet";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("haproxy exited with " + process.exitValue() + ":\n" + output());
      }
      if (Files.exists(socket)) {
        try {
          lastProblem = notUp();
          if (lastProblem == null) {
            return;
          }
        } catch (IOException e) {
          lastProblem = e.toString();
        }
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    throw new AssertionError("haproxy not ready in " + timeout + ": " + lastProblem + "\n" + output());
  }

  private String notUp() throws IOException {
    for (Map<String, String> row : showStat()) {
      String sv = row.get("svname");
      if ("FRONTEND".equals(sv) || "BACKEND".equals(sv)) {
        continue;
      }
      String check = row.getOrDefault("check_status", "");
      String status = row.getOrDefault("status", "");
      if (!check.isEmpty() && !status.startsWith("UP")) {
        return row.get("pxname") + "/" + sv + " is " + status;
      }
    }
    return null;
  }

  /** Sends an admin command to the stats socket and returns the answer. */
  public String command(String cmd) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.write(ByteBuffer.wrap((cmd + "\n").getBytes(StandardCharsets.US_ASCII)));
      ch.shutdownOutput();
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      StringBuilder out = new StringBuilder();
      while (ch.read(buf) >= 0) {
        buf.flip();
        out.append(StandardCharsets.UTF_8.decode(buf));
        buf.clear();
      }
      return out.toString();
    }
  }

  /** {@code show stat} as one map per row, keyed by the CSV header. */
  public List<Map<String, String>> showStat() throws IOException {
    String csv = command("show stat");
    List<Map<String, String>> rows = new ArrayList<>();
    String[] lines = csv.split("\n");
    if (lines.length == 0 || !lines[0].startsWith("# ")) {
      throw new IOException("unexpected show stat output: " + csv);
    }
    String[] header = lines[0].substring(2).split(",", -1);
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      String[] f = lines[i].split(",", -1);
      Map<String, String> row = new LinkedHashMap<>();
      for (int j = 0; j < header.length && j < f.length; j++) {
        row.put(header[j], f[j]);
      }
      rows.add(row);
    }
    return rows;
  }

  /** The {@code show stat} row of {@code proxy}/{@code server}. */
  public Map<String, String> stat(String proxy, String server) throws IOException {
    for (Map<String, String> row : showStat()) {
      if (proxy.equals(row.get("pxname")) && server.equals(row.get("svname"))) {
        return row;
      }
    }
    throw new AssertionError("no stat row " + proxy + "/" + server);
  }

  /**
   * {@return the status column of {@code proxy}/{@code server} ({@code UP}, {@code DOWN}, {@code NOLB},
   * {@code MAINT}...), or {@code unknown: <why>} if the stats socket cannot be read: for polling}
   */
  public String status(String proxy, String server) {
    try {
      return stat(proxy, server).get("status");
    } catch (IOException e) {
      return "unknown: " + e;
    }
  }

  /** Waits until HAProxy's stats show every one of {@code servers} of {@code proxy} UP: it answers 503 until then. */
  public void awaitUp(Duration timeout, String proxy, String... servers) {
    Await.until(timeout, () -> java.util.Arrays.stream(servers).allMatch(s -> "UP".equals(status(proxy, s))),
        () -> "HAProxy has not seen every server up: " + java.util.Arrays.stream(servers)
            .map(s -> s + " " + status(proxy, s)).toList());
  }

  /** The process id, for reloads. */
  public long pid() {
    return process.pid();
  }

  public Path dir() {
    return dir;
  }

  /** What haproxy printed so far. */
  public String output() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Override
  public void close() {
    retired.forEach(Process::destroyForcibly);
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
