package io.tether.bench.e2e;

import io.tether.bench.report.Table;
import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * End-to-end throughput and latency of HTTP/1.1 keep-alive GETs through a real HAProxy, for Tether's
 * client, plain Netty with no pool (the floor), Reactor Netty and Apache HttpClient 5, in one run.
 *
 * <p>Two setups: {@code backends} (HAProxy in front of two Netty servers in this JVM) and {@code origin}
 * (HAProxy answers itself with {@code http-request return}, so the client is the limit). HAProxy runs on
 * CPU 0; start this JVM on CPU 1 ({@code taskset -c 1}, as scripts/bench.sh does) so the two never
 * share a core. Each client runs {@code rounds} times in rotating order; the table shows medians.
 *
 * <p>Usage: {@code Throughput [backends|origin] [seconds] [rounds] [out-dir]}; {@code -Dclients=tether,floor}
 * runs only those clients.
 */
public final class Throughput {
  private static final int CONNECTIONS = 16;

  private Throughput() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "backends";
    Duration measure = Duration.ofSeconds(args.length > 1 ? Integer.parseInt(args[1]) : 10);
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Path out = Path.of(args.length > 3 ? args[3] : "target/bench");
    Duration warmup = Duration.ofSeconds(5);
    String cpus = Runtime.getRuntime().availableProcessors() < 2 && onlineCpus() >= 2 ? "0" : null;
    System.out.printf("throughput (%s): %d connections, %s warm-up + %s measured per client, %d rounds; "
        + "HAProxy %s%n", mode, CONNECTIONS, warmup, measure, rounds,
        cpus != null ? "on CPU 0, this JVM on the other" : "unpinned (start the JVM with taskset -c 1 to pin)");

    List<TestHttpServer> backends = new ArrayList<>();
    int port = Loopback.freePort(Loopback.LB);
    String cfg;
    if (mode.equals("origin")) {
      cfg = "defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n\n"
          + "frontend fe\n  bind " + Loopback.LB + ":" + port + "\n"
          + "  http-request return status 200 content-type text/plain string ok\n";
    } else if (mode.equals("backends")) {
      backends.add(TestHttpServer.plain("app1", Loopback.APP1));
      backends.add(TestHttpServer.plain("app2", Loopback.APP2));
      cfg = "defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n\n"
          + "frontend fe\n  bind " + Loopback.LB + ":" + port + "\n  default_backend be\n\n"
          + "backend be\n  balance roundrobin\n"
          + "  server app1 " + backends.get(0).address() + "\n"
          + "  server app2 " + backends.get(1).address() + "\n";
    } else {
      throw new IllegalArgumentException("mode " + mode + " (expected: backends or origin)");
    }

    Map<String, Supplier<LoadClient>> clients = new LinkedHashMap<>();
    clients.put("tether", () -> new TetherLoadClient("Tether TetherHttpClient", Loopback.LB, port,
        PoolConfig.builder().maxConnections(CONNECTIONS).build(), true, PoolListener.NONE));
    clients.put("floor", () -> new NettyFloorClient(Loopback.LB, port, CONNECTIONS));
    clients.put("reactor", () -> new ReactorLoadClient(Loopback.LB, port, CONNECTIONS));
    clients.put("apache", () -> new ApacheLoadClient(Loopback.LB, port, CONNECTIONS));

    String only = System.getProperty("clients");
    if (only != null) {
      clients.keySet().retainAll(List.of(only.split(",")));
    }
    Map<String, List<ClosedLoop.Result>> results = new LinkedHashMap<>();
    clients.keySet().forEach(k -> results.put(k, new ArrayList<>()));
    try (Haproxy lb = Haproxy.start(cfg, cpus)) {
      List<String> order = new ArrayList<>(clients.keySet());
      // One discarded pass first: the JVM compiles Netty's codec and event loop code on whichever client
      // runs first, which would otherwise be charged to that client alone.
      for (String key : order) {
        try (LoadClient c = clients.get(key).get()) {
          ClosedLoop.run(c, CONNECTIONS, Duration.ofSeconds(2), warmup);
        }
      }
      for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < order.size(); k++) {
          String key = order.get((k + r) % order.size());
          try (LoadClient c = clients.get(key).get()) {
            ClosedLoop.Result res = ClosedLoop.run(c, CONNECTIONS, warmup, measure);
            results.get(key).add(res);
            // Connections opened (where the client reports them): churn would show here, not as failures.
            System.out.printf(Locale.ROOT, "  round %d %-30s %9.0f req/s  p50 %6.1f us  p99 %6.1f us  cpu %5.1f us/req  %d failed"
                + "  %s opened%n", r + 1, res.client(), res.perSecond(), res.p50Nanos() / 1e3, res.p99Nanos() / 1e3,
                res.cpuNanosPerRequest() / 1e3, res.failures(), c.connectionsOpened() < 0 ? "?" : c.connectionsOpened());
          }
        }
      }
    } finally {
      backends.forEach(TestHttpServer::close);
    }

    Map<String, ClosedLoop.Result> median = new LinkedHashMap<>();
    results.forEach((k, list) -> median.put(k, medianOf(list)));
    ClosedLoop.Result floor = median.getOrDefault("floor", median.values().iterator().next());
    Table t = new Table("client", "req/s", "p50 (us)", "p99 (us)", "client CPU (us/req)", "failed", "req/s vs floor",
        "p99 vs floor");
    for (ClosedLoop.Result res : median.values()) {
      t.row(res.client(), String.format(Locale.ROOT, "%.0f", res.perSecond()),
          String.format(Locale.ROOT, "%.1f", res.p50Nanos() / 1e3), String.format(Locale.ROOT, "%.1f", res.p99Nanos() / 1e3),
          String.format(Locale.ROOT, "%.1f", res.cpuNanosPerRequest() / 1e3), res.failures(),
          String.format(Locale.ROOT, "%.3f", res.perSecond() / floor.perSecond()),
          String.format(Locale.ROOT, "%.3f", (double) res.p99Nanos() / floor.p99Nanos()));
    }
    ClosedLoop.Result tether = median.getOrDefault("tether", floor);
    double bestPeer = median.entrySet().stream().filter(e -> !e.getKey().equals("tether") && !e.getKey().equals("floor"))
        .mapToDouble(e -> e.getValue().perSecond()).max().orElse(Double.NaN);
    String summary = String.format(Locale.ROOT,
        "Tether: %.3fx the floor's req/s, p99 %.3fx the floor's; %.2fx the best peer's req/s%n",
        tether.perSecond() / floor.perSecond(), (double) tether.p99Nanos() / floor.p99Nanos(),
        tether.perSecond() / bestPeer);
    System.out.println();
    System.out.print(t);
    System.out.print(summary);
    Files.createDirectories(out);
    Files.writeString(out.resolve("throughput-" + mode + ".md"), t + "\n" + summary);
  }

  /** The run with the median req/s (its own latencies and CPU, not a mix of runs). */
  private static ClosedLoop.Result medianOf(List<ClosedLoop.Result> runs) {
    List<ClosedLoop.Result> sorted = new ArrayList<>(runs);
    sorted.sort(Comparator.comparingDouble(ClosedLoop.Result::perSecond));
    return sorted.get(sorted.size() / 2);
  }

  private static int onlineCpus() {
    try {
      String s = Files.readString(Path.of("/sys/devices/system/cpu/online")).trim();
      int n = 0;
      for (String part : s.split(",")) {
        String[] r = part.split("-");
        n += r.length == 1 ? 1 : Integer.parseInt(r[1]) - Integer.parseInt(r[0]) + 1;
      }
      return n;
    } catch (Exception e) {
      return Runtime.getRuntime().availableProcessors();
    }
  }
}
