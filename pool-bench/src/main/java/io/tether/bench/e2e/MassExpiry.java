package io.tether.bench.e2e;

import io.tether.bench.report.Histogram;
import io.tether.bench.report.SvgChart;
import io.tether.bench.report.Table;
import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.CloseCause;
import io.tether.pool.Endpoint;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolListener;
import io.tether.pool.ReuseOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * 1,000 pooled connections opened at the same moment reach their deadline together: max-lifetime under
 * a steady load that keeps every one of them in rotation (FIFO reuse). Without jitter they all expire
 * in the same instant and every caller needs a new connection at once; with Tether's default jitter
 * (deadlines spread up to 5% earlier, never later) they expire one by one and the pool replaces them a
 * few at a time. Reports the most connects in flight at once, reconnects over time (a chart) and the
 * p99 latency of the expiry window against the steady state before it.
 *
 * <p>Usage: {@code MassExpiry [connections] [lifetime-seconds] [callers] [out-dir]}
 */
public final class MassExpiry {
  private static final long BUCKET_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private MassExpiry() {}

  /** One variant's outcome. */
  record Result(String name, long steadyP99, long expiryP99, int maxInFlight, int reconnects, int[] connectsPerBucket,
      long failures) {}

  public static void main(String[] args) throws Exception {
    int connections = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    Duration lifetime = Duration.ofSeconds(args.length > 1 ? Integer.parseInt(args[1]) : 20);
    int callers = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    Path out = Path.of(args.length > 3 ? args[3] : "target/bench");
    System.out.printf("mass expiry: %d connections opened together, max-lifetime %s, %d callers%n", connections,
        lifetime, callers);

    List<TestHttpServer> backends = List.of(TestHttpServer.plain("app1", Loopback.APP1),
        TestHttpServer.plain("app2", Loopback.APP2));
    int port = Loopback.freePort(Loopback.LB);
    String cfg = "defaults\n  mode http\n  timeout connect 2s\n  timeout client 60s\n  timeout server 60s\n"
        + "  maxconn 4000\n\n"
        + "frontend fe\n  bind " + Loopback.LB + ":" + port + "\n  default_backend be\n\n"
        + "backend be\n  balance roundrobin\n"
        + "  server app1 " + backends.get(0).address() + "\n  server app2 " + backends.get(1).address() + "\n";
    List<Result> results = new ArrayList<>();
    try (Haproxy lb = Haproxy.start(cfg)) {
      for (double jitter : new double[] {0.05, 0.0}) {
        results.add(run(port, connections, lifetime, callers, jitter));
      }
    } finally {
      backends.forEach(TestHttpServer::close);
    }

    Table t = new Table("jitter", "steady p99 (ms)", "expiry-window p99 (ms)", "ratio", "most connects at once",
        "reconnects", "failed");
    for (Result r : results) {
      t.row(r.name(), ms(r.steadyP99()), ms(r.expiryP99()),
          String.format(Locale.ROOT, "%.2f", (double) r.expiryP99() / r.steadyP99()), r.maxInFlight(), r.reconnects(),
          r.failures());
    }
    System.out.println();
    System.out.print(t);
    Files.createDirectories(out);
    Files.writeString(out.resolve("mass-expiry.md"), t.toString());
    List<SvgChart.Series> series = new ArrayList<>();
    for (Result r : results) {
      int n = r.connectsPerBucket().length;
      double[] x = new double[n];
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] = i * 0.1;
        y[i] = r.connectsPerBucket()[i];
      }
      series.add(new SvgChart.Series("jitter " + r.name(), x, y));
    }
    SvgChart.line(out.resolve("mass-expiry-reconnects.svg"),
        connections + " connections reaching max-lifetime " + lifetime.toSeconds() + "s together",
        "seconds since the connections opened", "connects started per 100 ms", series,
        List.of(new SvgChart.Marker(lifetime.toSeconds() * 0.95, "jitter window"),
            new SvgChart.Marker(lifetime.toSeconds(), "max-lifetime")));
    System.out.println("chart: " + out.resolve("mass-expiry-reconnects.svg"));
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }

  private static Result run(int port, int connections, Duration lifetime, int callers, double jitter)
      throws Exception {
    long runNanos = lifetime.toNanos() + TimeUnit.SECONDS.toNanos(6);
    int buckets = (int) (runNanos / BUCKET_NANOS) + 1;
    AtomicIntegerArray connectsPerBucket = new AtomicIntegerArray(buckets);
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    AtomicInteger reconnects = new AtomicInteger();
    long[] origin = {0};
    boolean[] warm = {false};
    PoolListener watch = new PoolListener() {
      @Override
      public void connectStarted(Endpoint endpoint) {
        int now = inFlight.incrementAndGet();
        if (Boolean.getBoolean("debug")) {
          System.out.printf("%6.3f connect, %d in flight%n", (System.nanoTime() - origin[0]) / 1e9, now);
        }
        if (warm[0]) {
          maxInFlight.accumulateAndGet(now, Math::max);
          reconnects.incrementAndGet();
        }
        int b = (int) ((System.nanoTime() - origin[0]) / BUCKET_NANOS);
        if (b >= 0 && b < buckets) {
          connectsPerBucket.incrementAndGet(b);
        }
      }

      @Override
      public void connected(Endpoint endpoint, long connectNanos) {
        inFlight.decrementAndGet();
      }

      @Override
      public void connectFailed(Endpoint endpoint, Throwable cause) {
        inFlight.decrementAndGet();
      }

      @Override
      public void closed(Endpoint endpoint, CloseCause cause, Throwable detail) {
        if (Boolean.getBoolean("debug")) {
          System.out.printf("%6.3f closed %s%n", (System.nanoTime() - origin[0]) / 1e9, cause);
        }
      }
    };
    PoolConfig config = PoolConfig.builder().maxConnections(connections).maxPendingAcquires(connections)
        .reuseOrder(ReuseOrder.FIFO).maxLifetime(lifetime).jitter(jitter).build();
    String name = jitter == 0 ? "0 (off)" : jitter + " (default)";
    try (TetherLoadClient client = new TetherLoadClient("tether", Loopback.LB, port, config, true, watch)) {
      // Open every connection at once: as many concurrent requests as connections.
      origin[0] = System.nanoTime();
      List<CompletableFuture<Integer>> opening = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        opening.add(client.get(0));
      }
      CompletableFuture.allOf(opening.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
      long openedIn = System.nanoTime() - origin[0];
      warm[0] = true;
      System.out.printf(Locale.ROOT, "  jitter %s: %d connections open in %.0f ms; steady load until past the lifetime%n",
          name, client.client().stats().total(), openedIn / 1e6);

      Histogram steady = new Histogram();
      Histogram expiry = new Histogram();
      long windowStart = origin[0] + (long) (lifetime.toNanos() * (1 - Math.max(jitter, 0.0) - 0.01));
      long windowEnd = origin[0] + lifetime.toNanos() + openedIn + TimeUnit.SECONDS.toNanos(1);
      long steadyFrom = origin[0] + TimeUnit.SECONDS.toNanos(2);
      long stopAt = origin[0] + runNanos;
      AtomicInteger failures = new AtomicInteger();
      CompletableFuture<?>[] chains = new CompletableFuture<?>[callers];
      for (int i = 0; i < callers; i++) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        chains[i] = done;
        loop(client, stopAt, steadyFrom, windowStart, windowEnd, steady, expiry, failures, done);
      }
      CompletableFuture.allOf(chains).get(runNanos + TimeUnit.SECONDS.toNanos(30), TimeUnit.NANOSECONDS);
      int[] perBucket = new int[buckets];
      for (int i = 0; i < buckets; i++) {
        perBucket[i] = connectsPerBucket.get(i);
      }
      Result r = new Result(name, steady.percentile(0.99), expiry.percentile(0.99), maxInFlight.get(),
          reconnects.get(), perBucket, failures.get());
      System.out.printf(Locale.ROOT, "  jitter %s: steady p99 %s ms, expiry p99 %s ms, at most %d connects at once, "
          + "%d reconnects, %d failed%n", name, ms(r.steadyP99()), ms(r.expiryP99()), r.maxInFlight(), r.reconnects(),
          r.failures());
      return r;
    }
  }

  private static void loop(LoadClient client, long stopAt, long steadyFrom, long windowStart, long windowEnd,
      Histogram steady, Histogram expiry, AtomicInteger failures, CompletableFuture<Void> done) {
    long start = System.nanoTime();
    if (start >= stopAt) {
      done.complete(null);
      return;
    }
    client.get(0).whenComplete((status, error) -> {
      long end = System.nanoTime();
      if (error != null || status != 200) {
        failures.incrementAndGet();
      } else if (start >= windowStart && start < windowEnd) {
        expiry.record(end - start);
      } else if (start >= steadyFrom && start < windowStart) {
        steady.record(end - start);
      }
      loop(client, stopAt, steadyFrom, windowStart, windowEnd, steady, expiry, failures, done);
    });
  }
}
