package io.tether.bench.e2e;

import io.netty.channel.Channel;
import io.tether.bench.report.Histogram;
import io.tether.bench.report.SvgChart;
import io.tether.bench.report.Table;
import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.CloseCause;
import io.tether.pool.ConnectionPool;
import io.tether.pool.Endpoint;
import io.tether.pool.Lease;
import io.tether.pool.PoolConfig;
import io.tether.pool.Eviction;
import io.tether.pool.PoolListener;
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
 * 1,000 connections opened in the same instant reach their deadlines together. 1,000 leases taken at
 * once open them; then {@code callers} keep a steady load, which (LIFO reuse, the
 * default) keeps a few dozen of them busy and leaves the rest idle. At {@code lb-idle-timeout} x 0.9 the
 * idle ones reach their idle deadline together and are closed; at {@code max-lifetime} the busy ones
 * must be replaced while the load goes on. Without jitter each of those happens in one instant; with
 * the default jitter (deadlines up to 5% earlier, never later) they are spread out. Reports the most
 * connects in flight at once, closes and connects over time (charts), and p99 latency in each window
 * against the steady state before.
 *
 * <p>Usage: {@code MassExpiry [connections] [callers] [out-dir]}
 */
public final class MassExpiry {
  private static final long BUCKET_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration LIFETIME = Duration.ofSeconds(60);

  private MassExpiry() {}

  /** One variant's outcome. */
  record Result(String name, long steadyP99, long idleWindowP99, long lifetimeWindowP99, int maxInFlight,
      int reconnects, int[] connectsPerBucket, int[] closesPerBucket, long failures) {}

  public static void main(String[] args) throws Exception {
    int connections = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int callers = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    Path out = Path.of(args.length > 2 ? args[2] : "target/bench");
    System.out.printf("mass expiry: %d connections opened together, %d callers, lb-idle-timeout %s, max-lifetime %s%n",
        connections, callers, IDLE_TIMEOUT, LIFETIME);

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
      warmUp(port);
      for (double jitter : new double[] {0.05, 0.0}) {
        results.add(run(port, connections, callers, jitter));
      }
    } finally {
      backends.forEach(TestHttpServer::close);
    }

    Table t = new Table("jitter", "steady p99 (ms)", "p99 at idle deadline (ms)", "p99 at max-lifetime (ms)",
        "worst ratio", "most connects at once", "reconnects", "failed");
    for (Result r : results) {
      t.row(r.name(), ms(r.steadyP99()), ms(r.idleWindowP99()), ms(r.lifetimeWindowP99()),
          String.format(Locale.ROOT, "%.2f", (double) Math.max(r.idleWindowP99(), r.lifetimeWindowP99()) / r.steadyP99()),
          r.maxInFlight(), r.reconnects(), r.failures());
    }
    System.out.println();
    System.out.print(t);
    Files.createDirectories(out);
    Files.writeString(out.resolve("mass-expiry.md"), t.toString());
    chart(out.resolve("mass-expiry-reconnects.svg"), "Reconnects as " + connections + " connections reach their deadlines",
        "connects started per 100 ms", results, true);
    chart(out.resolve("mass-expiry-closes.svg"), "Closes as " + connections + " connections reach their deadlines",
        "connections closed per 100 ms", results, false);
    System.out.println("charts: " + out.resolve("mass-expiry-reconnects.svg") + ", " + out.resolve("mass-expiry-closes.svg"));
  }

  /** A few seconds of the same load first, so neither variant pays for compiling the client. */
  private static void warmUp(int port) throws Exception {
    try (TetherLoadClient client = new TetherLoadClient("warm-up", Loopback.LB, port, PoolConfig.builder().build(), true,
        PoolListener.NONE)) {
      ClosedLoop.run(client, 64, Duration.ofSeconds(1), Duration.ofSeconds(5));
    }
  }

  private static void chart(Path file, String title, String yLabel, List<Result> results, boolean connects)
      throws java.io.IOException {
    List<SvgChart.Series> series = new ArrayList<>();
    for (Result r : results) {
      int[] counts = connects ? r.connectsPerBucket() : r.closesPerBucket();
      int from = (int) (TimeUnit.SECONDS.toNanos(15) / BUCKET_NANOS);
      double[] x = new double[counts.length - from];
      double[] y = new double[counts.length - from];
      for (int i = from; i < counts.length; i++) {
        x[i - from] = i * 0.1;
        y[i - from] = counts[i];
      }
      series.add(new SvgChart.Series("jitter " + r.name(), x, y));
    }
    double idleAt = IDLE_TIMEOUT.toMillis() * 0.9 / 1000.0;
    SvgChart.line(file, title, "seconds since the connections opened", yLabel, series,
        List.of(new SvgChart.Marker(idleAt, "idle deadline"), new SvgChart.Marker(LIFETIME.toSeconds(), "max-lifetime")));
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }

  private static Result run(int port, int connections, int callers, double jitter) throws Exception {
    long runNanos = LIFETIME.toNanos() + TimeUnit.SECONDS.toNanos(3);
    int buckets = (int) (runNanos / BUCKET_NANOS) + 1;
    AtomicIntegerArray connectsPerBucket = new AtomicIntegerArray(buckets);
    AtomicIntegerArray closesPerBucket = new AtomicIntegerArray(buckets);
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    AtomicInteger reconnects = new AtomicInteger();
    long[] origin = {System.nanoTime()};
    boolean[] warm = {false};
    PoolListener watch = new PoolListener() {
      @Override
      public void connectStarted(Endpoint endpoint) {
        int now = inFlight.incrementAndGet();
        if (warm[0]) {
          maxInFlight.accumulateAndGet(now, Math::max);
          reconnects.incrementAndGet();
        }
        count(connectsPerBucket);
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
        count(closesPerBucket);
      }

      private void count(AtomicIntegerArray perBucket) {
        int b = (int) ((System.nanoTime() - origin[0]) / BUCKET_NANOS);
        if (b >= 0 && b < buckets) {
          perBucket.incrementAndGet(b);
        }
      }
    };
    PoolConfig config = PoolConfig.builder().maxConnections(connections).maxPendingAcquires(connections)
        .lbIdleTimeout(IDLE_TIMEOUT).eviction(Eviction.builder().maxLifetime(LIFETIME).jitter(jitter).build()).build();
    String name = jitter == 0 ? "0 (off)" : jitter + " (default)";
    try (TetherLoadClient client = new TetherLoadClient("tether", Loopback.LB, port, config, true, watch)) {
      origin[0] = System.nanoTime();
      // Leased all at once, so each is a new connection (requests would reuse the first ones back).
      ConnectionPool<Channel> leases = client.client().pool().leases();
      List<CompletableFuture<Lease<Channel>>> opening = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        opening.add(leases.acquire());
      }
      CompletableFuture.allOf(opening.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
      for (CompletableFuture<Lease<Channel>> lease : opening) {
        lease.join().release();
      }
      long openedIn = System.nanoTime() - origin[0];
      warm[0] = true;
      System.out.printf(Locale.ROOT, "  jitter %s: %d connections open in %.0f ms; %d callers until past max-lifetime%n",
          name, client.client().stats().total(), openedIn / 1e6, callers);

      long spread = (long) (jitter * 1e9) + openedIn + TimeUnit.MILLISECONDS.toNanos(500);
      long idleDeadline = origin[0] + (long) (IDLE_TIMEOUT.toNanos() * 0.9);
      long lifetime = origin[0] + LIFETIME.toNanos();
      Window steady = new Window(origin[0] + TimeUnit.SECONDS.toNanos(2), idleDeadline - (long) (IDLE_TIMEOUT.toNanos() * 0.9 * jitter) - TimeUnit.SECONDS.toNanos(1));
      Window idle = new Window(idleDeadline - (long) (IDLE_TIMEOUT.toNanos() * 0.9 * jitter) - TimeUnit.MILLISECONDS.toNanos(200), idleDeadline + spread);
      Window life = new Window(lifetime - (long) (LIFETIME.toNanos() * jitter) - TimeUnit.MILLISECONDS.toNanos(200), lifetime + spread);
      long stopAt = origin[0] + runNanos;
      AtomicInteger failures = new AtomicInteger();
      CompletableFuture<?>[] chains = new CompletableFuture<?>[callers];
      for (int i = 0; i < callers; i++) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        chains[i] = done;
        loop(client, stopAt, List.of(steady, idle, life), failures, done);
      }
      CompletableFuture.allOf(chains).get(runNanos + TimeUnit.SECONDS.toNanos(30), TimeUnit.NANOSECONDS);
      int[] connects = new int[buckets];
      int[] closes = new int[buckets];
      for (int i = 0; i < buckets; i++) {
        connects[i] = connectsPerBucket.get(i);
        closes[i] = closesPerBucket.get(i);
      }
      Result r = new Result(name, steady.latency.percentile(0.99), idle.latency.percentile(0.99),
          life.latency.percentile(0.99), maxInFlight.get(), reconnects.get(), connects, closes, failures.get());
      System.out.printf(Locale.ROOT, "  jitter %s: p99 steady %s ms, at idle deadline %s ms, at max-lifetime %s ms; "
          + "at most %d connects at once, %d reconnects, %d failed%n", name, ms(r.steadyP99()), ms(r.idleWindowP99()),
          ms(r.lifetimeWindowP99()), r.maxInFlight(), r.reconnects(), r.failures());
      return r;
    }
  }

  /** Latencies of requests started within [from, to). */
  private static final class Window {
    final long from;
    final long to;
    final Histogram latency = new Histogram();

    Window(long from, long to) {
      this.from = from;
      this.to = to;
    }
  }

  private static void loop(LoadClient client, long stopAt, List<Window> windows, AtomicInteger failures,
      CompletableFuture<Void> done) {
    long start = System.nanoTime();
    if (start >= stopAt) {
      done.complete(null);
      return;
    }
    client.get(0).whenComplete((status, error) -> {
      long end = System.nanoTime();
      if (error != null || status != 200) {
        failures.incrementAndGet();
      } else {
        for (Window w : windows) {
          if (start >= w.from && start < w.to) {
            w.latency.record(end - start);
          }
        }
      }
      loop(client, stopAt, windows, failures, done);
    });
  }
}
