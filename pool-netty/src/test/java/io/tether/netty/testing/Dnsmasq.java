package io.tether.netty.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real DNS server (Debian's {@code dnsmasq}) on a loopback address, authoritative for {@code .test}:
 * A records from a hosts file the test rewrites ({@link #setAddresses}, re-read on SIGHUP), SRV records
 * given at start, names it does not know answered with NXDOMAIN. {@link #stop()} and {@link #start()}
 * take it away and bring it back on the same port.
 */
public final class Dnsmasq implements AutoCloseable {
  private static final String BINARY = "/usr/sbin/dnsmasq";
  private final Path dir;
  private final String host;
  private final int port;
  private final int ttlSeconds;
  private List<String> srv;
  private final List<String> addressRules;
  private final List<String> serverRules;
  private Process process;

  private Dnsmasq(Path dir, String host, int port, int ttlSeconds, List<String> srv, List<String> addressRules,
      List<String> serverRules) {
    this.dir = dir;
    this.host = host;
    this.port = port;
    this.ttlSeconds = ttlSeconds;
    this.srv = srv;
    this.addressRules = addressRules;
    this.serverRules = serverRules;
  }

  /** Whether dnsmasq is installed ({@code apt-get install dnsmasq}). */
  public static boolean installed() {
    return Files.isExecutable(Path.of(BINARY));
  }

  /**
   * Starts it on {@code host}, answering A records with {@code ttlSeconds}.
   *
   * @param addresses name to its addresses
   * @param srv {@code --srv-host} values: {@code _service._tcp.name,target,port,priority,weight}
   */
  public static Dnsmasq start(String host, int ttlSeconds, Map<String, List<String>> addresses, List<String> srv)
      throws IOException, InterruptedException {
    return start(host, ttlSeconds, addresses, srv, List.of(), List.of());
  }

  /**
   * As {@link #start(String, int, Map, List)}, plus {@code --address} rules ({@code /name/ip}): names
   * answered from a rule, whose addresses dnsmasq leaves out of an SRV answer's additional section; and
   * {@code --server} rules ({@code /name/ip#port}): names forwarded to another server.
   */
  public static Dnsmasq start(String host, int ttlSeconds, Map<String, List<String>> addresses, List<String> srv,
      List<String> addressRules, List<String> serverRules) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("tether-dnsmasq");
    dir.toFile().setReadable(true, false);
    dir.toFile().setExecutable(true, false);
    Dnsmasq d = new Dnsmasq(dir, host, Loopback.freePort(host), ttlSeconds, List.copyOf(srv), List.copyOf(addressRules),
        List.copyOf(serverRules));
    d.writeHosts(addresses);
    d.start();
    return d;
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(host, port);
  }

  private void writeHosts(Map<String, List<String>> addresses) throws IOException {
    StringBuilder sb = new StringBuilder();
    addresses.forEach((name, ips) -> ips.forEach(ip -> sb.append(ip).append(' ').append(name).append('\n')));
    Path tmp = dir.resolve("hosts.tmp");
    Files.writeString(tmp, sb.toString());
    tmp.toFile().setReadable(true, false);
    Files.move(tmp, dir.resolve("hosts"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Replaces every A record and makes dnsmasq read them (SIGHUP). */
  public void setAddresses(Map<String, List<String>> addresses) throws IOException, InterruptedException {
    writeHosts(addresses);
    new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start().waitFor();
    Thread.sleep(50); // dnsmasq handles the signal in its event loop
  }

  /** Replaces every A record while stopped; {@link #start()} reads them. */
  public void setAddressesWhileStopped(Map<String, List<String>> addresses) throws IOException {
    writeHosts(addresses);
  }

  /** Restarts with other SRV records (dnsmasq reads those only at start). */
  public void setSrv(List<String> records) throws IOException, InterruptedException {
    stop();
    this.srv = List.copyOf(records);
    start();
  }

  /** Starts it (again) on its port. */
  public void start() throws IOException, InterruptedException {
    Files.deleteIfExists(dir.resolve("dnsmasq.log")); // readiness is read from a fresh log
    List<String> cmd = new ArrayList<>(List.of(BINARY, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
        "--no-hosts", "--local=/test/", "--port=" + port, "--listen-address=" + host, "--bind-interfaces",
        "--addn-hosts=" + dir.resolve("hosts"), "--local-ttl=" + ttlSeconds, "--pid-file=", "--user=root",
        "--log-facility=" + dir.resolve("dnsmasq.log")));
    for (String s : srv) {
      cmd.add("--srv-host=" + s);
    }
    for (String a : addressRules) {
      cmd.add("--address=" + a);
    }
    for (String r : serverRules) {
      cmd.add("--server=" + r);
    }
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile()).start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < until) {
      if (!process.isAlive()) {
        throw new IOException("dnsmasq exited: " + Files.readString(dir.resolve("out.log")));
      }
      if (Files.exists(dir.resolve("dnsmasq.log")) && Files.readString(dir.resolve("dnsmasq.log")).contains("read ")) {
        return;
      }
      Thread.sleep(20);
    }
    throw new IOException("dnsmasq not ready: " + Files.readString(dir.resolve("out.log")));
  }

  /** Stops it: queries then time out, as in a DNS outage. */
  public void stop() throws InterruptedException {
    if (process != null) {
      process.destroy();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
