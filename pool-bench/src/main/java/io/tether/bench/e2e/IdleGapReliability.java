package io.tether.bench.e2e;

import io.tether.bench.report.SvgChart;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * Failures per 1,000 requests whose idle gaps straddle HAProxy's idle timeout, for every client, and
 * a chart of failures by gap. HAProxy closes idle connections after {@code timeout client/server}; a
 * client that reuses one at that moment fails unless it evicted it first (or retries).
 *
 * <p>Usage: {@code IdleGapReliability [timeout-ms] [rounds] [out-dir]}; each client sends 16 x rounds
 * requests with gaps uniform in [0.95, 1.05] x timeout.
 */
public final class IdleGapReliability {
  private static final int CALLERS = 16;
  private static final int BUCKETS = 10;

  private IdleGapReliability() {}

  public static void main(String[] args) throws Exception {
    long timeoutMs = args.length > 0 ? Long.parseLong(args[0]) : 1000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    Path out = Path.of(args.length > 2 ? args[2] : "target/bench");
    Duration min = Duration.ofMillis(timeoutMs * 95 / 100);
    Duration max = Duration.ofMillis(timeoutMs * 105 / 100);
    System.out.printf("idle-gap reliability: HAProxy timeout %dms, %d callers x %d rounds per client, gaps %s..%s%n",
        timeoutMs, CALLERS, rounds - 1, min, max);

    List<TestHttpServer> backends = List.of(TestHttpServer.plain("app1", Loopback.APP1),
        TestHttpServer.plain("app2", Loopback.APP2));
    int port = Loopback.freePort(Loopback.LB);
    String cfg = "defaults\n  mode http\n  timeout connect 1s\n"
        + "  timeout client " + timeoutMs + "ms\n  timeout server " + timeoutMs + "ms\n\n"
        + "frontend fe\n  bind " + Loopback.LB + ":" + port + "\n  default_backend be\n\n"
        + "backend be\n  balance roundrobin\n"
        + "  server app1 " + backends.get(0).address() + "\n  server app2 " + backends.get(1).address() + "\n";

    PoolConfig tether = PoolConfig.builder().maxConnections(64).lbIdleTimeout(Duration.ofMillis(timeoutMs)).build();
    Map<String, Supplier<LoadClient>> clients = new LinkedHashMap<>();
    clients.put("tether", () -> new TetherLoadClient("Tether (evict + retry)", Loopback.LB, port, tether, true,
        PoolListener.NONE));
    clients.put("tether-no-retry", () -> new TetherLoadClient("Tether, retries off", Loopback.LB, port, tether, false,
        PoolListener.NONE));
    clients.put("netty", () -> new NettyPoolLoadClient(Loopback.LB, port, 64));
    clients.put("reactor", () -> new ReactorLoadClient(Loopback.LB, port, 64));
    clients.put("apache", () -> new ApacheLoadClient(Loopback.LB, port, 64));
    String only = System.getProperty("clients");
    if (only != null) {
      clients.keySet().retainAll(List.of(only.split(",")));
    }

    List<GapRounds.Result> results = new ArrayList<>();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try (Haproxy lb = Haproxy.start(cfg)) {
      for (Supplier<LoadClient> make : clients.values()) {
        try (LoadClient c = make.get()) {
          GapRounds.Result r = GapRounds.run(c, CALLERS, rounds, min, max, BUCKETS, timer);
          results.add(r);
          System.out.printf(Locale.ROOT, "  %-28s %5d requests %4d failed (%.1f per 1000) %s%n", r.client(), r.requests(),
              r.failures(), r.perThousand(), r.failuresByType());
        }
      }
    } finally {
      timer.shutdownNow();
      backends.forEach(TestHttpServer::close);
    }

    Table t = new Table("client", "requests", "failed", "per 1,000", "failures", "connections opened");
    for (GapRounds.Result r : results) {
      t.row(r.client(), r.requests(), r.failures(), String.format(Locale.ROOT, "%.1f", r.perThousand()),
          r.failuresByType().isEmpty() ? "-" : r.failuresByType().toString(),
          r.connections() < 0 ? "n/a" : Integer.toString(r.connections()));
    }
    System.out.println();
    System.out.print(t);
    Files.createDirectories(out);
    Files.writeString(out.resolve("idle-gaps.md"), t.toString());

    String[] categories = new String[BUCKETS];
    long span = max.toMillis() - min.toMillis();
    for (int k = 0; k < BUCKETS; k++) {
      categories[k] = (min.toMillis() + span * k / BUCKETS) + "ms";
    }
    double[][] perThousand = new double[results.size()][BUCKETS];
    List<String> names = new ArrayList<>();
    for (int s = 0; s < results.size(); s++) {
      GapRounds.Result r = results.get(s);
      names.add(r.client());
      for (int k = 0; k < BUCKETS; k++) {
        perThousand[s][k] = r.requestsByBucket()[k] == 0 ? 0 : r.failuresByBucket()[k] * 1000.0 / r.requestsByBucket()[k];
      }
    }
    SvgChart.bars(out.resolve("idle-gap-failures.svg"),
        "Failures per 1,000 requests by idle gap (HAProxy timeout " + timeoutMs + "ms)", "idle gap before the request",
        "failures per 1,000", categories, names, perThousand);
    System.out.println("chart: " + out.resolve("idle-gap-failures.svg"));
  }
}
