package io.tether.bench.soak;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.bench.report.Table;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.testing.BackendProcess;
import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.Loopback;
import io.tether.pool.DurationSyntax;
import io.tether.pool.PoolConfig;
import io.tether.pool.haproxy.HaproxyConfig;
import io.tether.pool.PoolStats;
import io.tether.pool.metrics.micrometer.PoolMeters;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The soak run (not in CI): mixed load through HAProxy with an idle timeout of {@value #IDLE_MS} ms, a
 * backend killed (SIGKILL) and brought back every minute, and a HAProxy soft reload every two minutes.
 * Load: 8 callers back to back, 16 callers in rounds with idle gaps around the timeout, and a trickle
 * of POSTs (never retried). Each minute it prints requests, failures by type, heap after a full GC,
 * and the pool's counters; at the end a table, and whether heap and connection counts stayed flat.
 *
 * <p>Usage: {@code Soak [duration, e.g. 10m] [out-dir]}
 */
public final class Soak {
  static final long IDLE_MS = 3000;

  private final TetherHttpClient client;
  private final LongAdder requests = new LongAdder();
  private final LongAdder posts = new LongAdder();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  private volatile boolean running = true;

  private Soak(TetherHttpClient client) {
    this.client = client;
  }

  /** One minute's line of the report. */
  record Minute(int minute, long requests, long failed, String failures, long heapMiB, PoolStats stats,
      long connects, String closes, long retries, String event) {}

  public static void main(String[] args) throws Exception {
    Duration duration = args.length > 0 ? DurationSyntax.parseOrNull(args[0]) : Duration.ofMinutes(10);
    if (duration == null) {
      throw new IllegalArgumentException("duration " + args[0] + ": " + DurationSyntax.EXPECTED);
    }
    Path out = Path.of(args.length > 1 ? args[1] : "target/bench");
    int minutes = (int) Math.max(1, duration.toMinutes());
    System.out.printf("soak: %d minutes, HAProxy idle timeout %d ms, a backend killed and restored every minute, "
        + "a reload every 2 minutes%n", minutes, IDLE_MS);

    BackendProcess[] backends = {BackendProcess.start("app1", Loopback.APP1), BackendProcess.start("app2", Loopback.APP2)};
    int[] ports = {backends[0].port, backends[1].port};
    String[] hosts = {Loopback.APP1, Loopback.APP2};
    int port = Loopback.freePort(Loopback.LB);
    String check = " check inter 500 fall 2 rise 1\n";
    String cfg = "defaults\n  mode http\n  timeout connect 1s\n"
        + "  timeout client " + IDLE_MS + "ms\n  timeout server " + IDLE_MS + "ms\n"
        + "  option redispatch\n  retries 2\n  retry-on all-retryable-errors\n\n"
        + "frontend fe\n  bind " + Loopback.LB + ":" + port + "\n  default_backend be\n\n"
        + "backend be\n  balance roundrobin\n  option httpchk GET /health\n"
        + "  server app1 " + hosts[0] + ":" + ports[0] + check
        + "  server app2 " + hosts[1] + ":" + ports[1] + check;

    NioEventLoopGroup group = new NioEventLoopGroup(2);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<Minute> report = new ArrayList<>();
    try (Haproxy lb = Haproxy.start(cfg)) {
      PoolConfig config = PoolConfig.builder().name("soak").server("lb", Loopback.LB, port).maxConnections(64)
          .apply(HaproxyConfig.read(lb.dir().resolve("haproxy.cfg")).frontend("fe")).build();
      try (TetherHttpClient client = TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
          .config(config).metrics(new PoolMeters(registry)).requestTimeout(Duration.ofSeconds(5)).build()) {
        Soak soak = new Soak(client);
        soak.start(group);
        long t0 = System.nanoTime();
        long prevRequests = 0;
        long prevFailed = 0;
        for (int m = 1; m <= minutes; m++) {
          String event = "";
          long minuteStart = t0 + TimeUnit.MINUTES.toNanos(m - 1);
          sleepUntil(minuteStart + TimeUnit.SECONDS.toNanos(20));
          int victim = (m - 1) % 2;
          backends[victim].kill();
          event += "killed app" + (victim + 1);
          sleepUntil(minuteStart + TimeUnit.SECONDS.toNanos(35));
          backends[victim] = BackendProcess.start("app" + (victim + 1), hosts[victim], ports[victim]);
          event += ", restored";
          if (m % 2 == 0) {
            sleepUntil(minuteStart + TimeUnit.SECONDS.toNanos(45));
            lb.reload();
            event += ", HAProxy reloaded";
          }
          sleepUntil(minuteStart + TimeUnit.SECONDS.toNanos(60));
          System.gc();
          long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
          long total = soak.requests.sum();
          long failed = soak.failed();
          Minute row = new Minute(m, total - prevRequests, failed - prevFailed, soak.failureSummary(), heap,
              client.stats(), (long) registry.find("tether.pool.connections.opened").counters().stream()
                  .mapToDouble(Counter::count).sum(),
              closes(registry), client.retries(), event);
          prevRequests = total;
          prevFailed = failed;
          report.add(row);
          System.out.printf(Locale.ROOT, "  minute %2d: %7d requests, %3d failed %s; heap %d MiB; %d open (%d idle, "
              + "%d leased), %d connects so far; %s%n", m, row.requests(), row.failed(), row.failures(), heap,
              row.stats().total(), row.stats().idle(), row.stats().leased(), row.connects(), event);
        }
        soak.running = false;
      }
    } finally {
      for (BackendProcess b : backends) {
        b.close();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    Table t = new Table("minute", "requests", "failed", "heap after GC (MiB)", "open", "idle", "leased", "connects",
        "closes by cause (total)", "retries (total)", "event");
    for (Minute r : report) {
      t.row(r.minute(), r.requests(), r.failed(), r.heapMiB(), r.stats().total(), r.stats().idle(), r.stats().leased(),
          r.connects(), r.closes(), r.retries(), r.event());
    }
    long firstHeap = report.get(Math.min(1, report.size() - 1)).heapMiB();
    long lastHeap = report.get(report.size() - 1).heapMiB();
    String verdict = String.format(Locale.ROOT, "heap after GC: minute 2 %d MiB, last minute %d MiB; failures by type: %s%n",
        firstHeap, lastHeap, report.get(report.size() - 1).failures());
    System.out.println();
    System.out.print(t);
    System.out.print(verdict);
    Files.createDirectories(out);
    Files.writeString(out.resolve("soak.md"), t + "\n" + verdict);
  }

  private static String closes(SimpleMeterRegistry registry) {
    Map<String, Long> byCause = new TreeMap<>();
    registry.find("tether.pool.connections.closed").counters().forEach(c ->
        byCause.merge(c.getId().getTag("cause"), (long) c.count(), Long::sum));
    StringBuilder sb = new StringBuilder();
    byCause.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v));
    return sb.toString();
  }

  private long failed() {
    return failures.values().stream().mapToLong(LongAdder::sum).sum();
  }

  private String failureSummary() {
    Map<String, Long> m = new TreeMap<>();
    failures.forEach((k, v) -> m.put(k, v.sum()));
    return m.isEmpty() ? "{}" : m.toString();
  }

  private void start(NioEventLoopGroup group) {
    for (int i = 0; i < 8; i++) {
      backToBack();
    }
    rounds(16);
    trickleOfPosts(group);
  }

  /** Sends the next request as soon as the previous answer is in. */
  private void backToBack() {
    if (!running) {
      return;
    }
    send(get()).whenComplete((ok, e) -> backToBack());
  }

  /** {@code callers} requests together, then a gap of 0.8 to 1.2 x HAProxy's idle timeout, again. */
  private void rounds(int callers) {
    if (!running) {
      return;
    }
    CompletableFuture<?>[] all = new CompletableFuture<?>[callers];
    for (int i = 0; i < callers; i++) {
      all[i] = send(get());
    }
    long gap = ThreadLocalRandom.current().nextLong(IDLE_MS * 8 / 10, IDLE_MS * 12 / 10);
    CompletableFuture.allOf(all).handle((v, e) -> null)
        .thenRun(() -> CompletableFuture.delayedExecutor(gap, TimeUnit.MILLISECONDS).execute(() -> rounds(callers)));
  }

  /** A POST every 200 ms: not idempotent, so never retried; any failure of its connection shows. */
  private void trickleOfPosts(NioEventLoopGroup group) {
    group.next().scheduleAtFixedRate(() -> {
      if (running) {
        FullHttpRequest post = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/orders",
            Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8));
        post.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
        posts.increment();
        send(post);
      }
    }, 200, 200, TimeUnit.MILLISECONDS);
  }

  private static FullHttpRequest get() {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
  }

  private CompletableFuture<Void> send(FullHttpRequest req) {
    requests.increment();
    String method = req.method().name();
    return client.send(req).orTimeout(15, TimeUnit.SECONDS).handle((res, e) -> {
      if (e != null) {
        Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        String type = c instanceof TimeoutException ? "hung>15s" : c.getClass().getSimpleName();
        failures.computeIfAbsent(method + " " + type, k -> new LongAdder()).increment();
      } else {
        if (res.status().code() != 200) {
          failures.computeIfAbsent(method + " " + res.status().code(), k -> new LongAdder()).increment();
        }
        res.release();
      }
      return null;
    });
  }

  private static void sleepUntil(long deadline) throws InterruptedException {
    long left = deadline - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }
}
