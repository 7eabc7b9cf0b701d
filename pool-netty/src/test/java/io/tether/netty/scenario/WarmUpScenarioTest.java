package io.tether.netty.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.PoolConfig;
import io.tether.pool.haproxy.HaproxyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code min-idle} behind a real HAProxy whose {@code timeout http-request} (1s) is shorter than its
 * {@code timeout http-keep-alive} (4s). HAProxy answers a connection that carries no request within
 * http-request with an unsolicited 408 and closes it. The client configured from haproxy.cfg evicts its
 * warmed connections before that: 0 408s in HAProxy's log, 0 failed requests. The same client told only
 * the keep-alive timeout, beside it on a frontend of its own, collects the 408s: the test can fail.
 * HAProxy logs (and counts in {@code ereq}) each evicted never-used connection as a 400, as it does a
 * browser's unused preconnect, unless the frontend has {@code option http-ignore-probes}.
 */
@Tag("haproxy")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WarmUpScenarioTest {
  private static final int MIN_IDLE = 6;
  private static final Duration RUN = Duration.ofSeconds(8);

  @Test
  void warmedConnectionsLeaveBeforeHaproxysFirstRequestTimeout() throws Exception {
    EventLoopGroup group = new NioEventLoopGroup(2);
    List<TetherHttpClient> clients = new ArrayList<>();
    try (TestHttpServer app1 = TestHttpServer.plain("app1", Loopback.APP1)) {
      int port = Loopback.freePort(Loopback.LB);
      int naivePort = Loopback.freePort(Loopback.LB);
      String frontend = "  mode http\n  timeout client 30s\n  timeout http-request 1s\n  timeout http-keep-alive 4s\n"
          + "  log stdout format raw local0\n  option httplog\n  default_backend app\n";
      try (Haproxy lb = Haproxy.start("defaults\n  timeout connect 2s\n\n"
          + "frontend web\n  bind " + Loopback.LB + ":" + port + "\n" + frontend + "\n"
          + "frontend naive\n  bind " + Loopback.LB + ":" + naivePort + "\n" + frontend + "\n"
          + "backend app\n  mode http\n  timeout server 10s\n  server app1 " + app1.address() + "\n")) {
        HaproxyConfig cfg = HaproxyConfig.read(lb.dir().resolve("haproxy.cfg"));
        PoolConfig derived = PoolConfig.builder().name("warm").server("lb", Loopback.LB, port).maxConnections(32)
            .minIdle(MIN_IDLE).apply(cfg.frontend("web")).build();
        assertEquals(Duration.ofSeconds(1), derived.eviction().lbFirstRequestTimeout(), cfg.explain("web"));
        TetherHttpClient warm = client(group, derived);
        clients.add(warm);
        TetherHttpClient naive = client(group, PoolConfig.builder().name("naive").server("lb", Loopback.LB, naivePort)
            .maxConnections(32).minIdle(MIN_IDLE).lbIdleTimeout(Duration.ofSeconds(4)).build());
        clients.add(naive);
        Await.until("both pools warmed up", Duration.ofSeconds(5),
            () -> warm.stats().idle() >= MIN_IDLE && naive.stats().idle() >= MIN_IDLE);

        // Bursts of first requests separated by gaps longer than http-request, shorter than keep-alive.
        SplittableRandom rnd = new SplittableRandom(7);
        int[] failed = new int[2];
        Map<Integer, Integer> warmSaw = new TreeMap<>();
        int sent = 0;
        long end = System.nanoTime() + RUN.toNanos();
        while (System.nanoTime() < end) {
          TimeUnit.MILLISECONDS.sleep(1200 + rnd.nextInt(1300));
          List<CompletableFuture<FullHttpResponse>> burst = new ArrayList<>();
          for (int i = 0; i < MIN_IDLE; i++) {
            burst.add(get(warm));
            burst.add(get(naive));
          }
          for (int i = 0; i < burst.size(); i++) {
            try {
              FullHttpResponse response = burst.get(i).get(10, TimeUnit.SECONDS);
              if (i % 2 == 0) {
                warmSaw.merge(response.status().code(), 1, Integer::sum);
              }
              response.release();
            } catch (Exception e) {
              failed[i % 2]++;
            }
          }
          sent += MIN_IDLE;
        }
        // HAProxy writes a log line as a stream ends, which can be just after the client has its response:
        // read until the last request's line is in (or 10 s), so the counts below are as complete as HAProxy
        // makes them. One CI run on 2 busy cores still found one 200 line short after 3 s while the client
        // had all its answers, so "answered" is judged by what the client received, "answered once" and
        // "no 408" by the log.
        Path log = lb.dir().resolve("haproxy.log");
        Map<String, Map<Integer, Integer>> statuses = statusesByFrontend(log);
        long logDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (statuses.getOrDefault("web", Map.of()).getOrDefault(200, 0) < sent && System.nanoTime() < logDeadline) {
          TimeUnit.MILLISECONDS.sleep(50);
          statuses = statusesByFrontend(log);
        }
        Map<Integer, Integer> web = statuses.getOrDefault("web", Map.of());
        Map<Integer, Integer> cold = statuses.getOrDefault("naive", Map.of());
        System.out.printf("%nmin-idle %d behind timeout http-request 1s / http-keep-alive 4s, %d requests per client,"
            + " retries off; statuses in HAProxy's log (400: a connection closed before its first request):%n"
            + "  from haproxy.cfg:        %d failed, client saw %s, log %s%n  keep-alive timeout only: %d failed, %s%n",
            MIN_IDLE, sent, failed[0], warmSaw, web, failed[1], cold);
        assertEquals(0, failed[0], "requests failed on the client configured from haproxy.cfg");
        assertEquals(Map.of(200, sent), warmSaw, "every request on the warmed client answered 200");
        assertEquals(0, web.getOrDefault(408, 0), "HAProxy sent unsolicited 408s to the warmed client: " + web);
        assertTrue(web.getOrDefault(200, 0) <= sent, "no request answered twice: " + web);
        assertTrue(web.getOrDefault(400, 0) > MIN_IDLE, "warmed connections were evicted unused and replaced: " + web);
        assertTrue(cold.getOrDefault(408, 0) > 0,
            "the client that knows only the keep-alive timeout meets the 408s: the test can fail; " + cold);
      }
    } finally {
      for (TetherHttpClient c : clients) {
        c.close();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** Per frontend, how many log lines carry each status ({@code option httplog}, raw format). */
  private static Map<String, Map<Integer, Integer>> statusesByFrontend(Path log) throws IOException {
    Pattern line = Pattern.compile(" (web|naive)~? \\S+/\\S+ \\S+ (-?\\d+) ");
    Map<String, Map<Integer, Integer>> out = new TreeMap<>();
    for (String l : Files.readAllLines(log)) {
      Matcher m = line.matcher(l);
      if (m.find()) {
        out.computeIfAbsent(m.group(1), k -> new TreeMap<>()).merge(Integer.parseInt(m.group(2)), 1, Integer::sum);
      }
    }
    return out;
  }

  private static TetherHttpClient client(EventLoopGroup group, PoolConfig config) {
    return TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class)).config(config)
        .retryIdempotentRequests(false).build();
  }

  private static CompletableFuture<FullHttpResponse> get(TetherHttpClient client) {
    return client.send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
  }
}
