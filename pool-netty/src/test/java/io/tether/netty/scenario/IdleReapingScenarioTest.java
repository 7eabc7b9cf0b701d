package io.tether.netty.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.testing.ChannelPoolHttpCaller;
import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.IdleGapWorkload;
import io.tether.netty.testing.IdleGapWorkload.Result;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.PoolConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.tether.pool.testing.RecordingListener;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scenario 1 of ../shared/SCENARIOS.md against a real HAProxy: callers whose idle gaps straddle the
 * balancer's 2s idle timeout. HAProxy closes a connection idle 2s; a pool that hands it out at the wrong
 * moment fails the request. Tether evicts at 0.9 x 2s (less jitter and margin), so every connection it
 * hands out has time left: zero failures, with or without its stale-request retry. Netty's
 * FixedChannelPool runs the same workload in the same run for comparison; its failures are reported,
 * not asserted.
 */
@Tag("haproxy")
@Tag("slow")
class IdleReapingScenarioTest {
  private static final int CALLERS = 16;
  private static final int ROUNDS = 32; // 16 x 32 = 512 requests per workload
  private static final Duration MIN_GAP = Duration.ofMillis(1900);
  private static final Duration MAX_GAP = Duration.ofMillis(2100);

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void zeroFailuresWhenIdleGapsStraddleTheBalancerTimeout() throws Exception {
    EventLoopGroup group = new NioEventLoopGroup(2);
    ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    List<AutoCloseable> closers = new ArrayList<>();
    try (TestHttpServer app1 = TestHttpServer.plain("app1", Loopback.APP1);
        TestHttpServer app2 = TestHttpServer.plain("app2", Loopback.APP2)) {
      int httpPort = Loopback.freePort(Loopback.LB);
      int tcpPort = Loopback.freePort(Loopback.LB);
      String servers =
          "  server app1 " + app1.address() + "\n"
              + "  server app2 " + app2.address() + "\n";
      try (Haproxy haproxy =
          Haproxy.start(
              "defaults\n"
                  + "  timeout connect 2s\n"
                  + "  timeout client 30s\n"
                  + "  timeout server 30s\n\n"
                  + "listen s1_http\n"
                  + "  mode http\n"
                  + "  bind " + Loopback.LB + ":" + httpPort + "\n"
                  + "  timeout http-keep-alive 2s\n"
                  + "  balance roundrobin\n"
                  + servers + "\n"
                  + "listen s1_tcp\n"
                  + "  mode tcp\n"
                  + "  bind " + Loopback.LB + ":" + tcpPort + "\n"
                  + "  timeout client 2s\n"
                  + "  balance roundrobin\n"
                  + servers)) {
        List<CompletableFuture<Result>> runs = new ArrayList<>();
        for (String mode : List.of("http", "tcp")) {
          int port = mode.equals("http") ? httpPort : tcpPort;
          for (boolean retry : List.of(true, false)) {
            RecordingListener events = new RecordingListener();
            TetherHttpClient client = tetherClient(group, port, retry, events);
            closers.add(client);
            runs.add(IdleGapWorkload.run(
                "Tether, mode " + mode + ", retry " + (retry ? "on" : "off"), CALLERS, ROUNDS, MIN_GAP,
                MAX_GAP, () -> get(client), timer, () -> events.matching("connected").size()));
          }
          AtomicInteger created = new AtomicInteger();
          FixedChannelPool fixed = new FixedChannelPool(
              new Bootstrap().group(group).channel(NioSocketChannel.class).remoteAddress(Loopback.LB, port),
              ChannelPoolHttpCaller.handler(created), 50);
          closers.add(fixed);
          runs.add(IdleGapWorkload.run("Netty FixedChannelPool, mode " + mode + " (reported only)", CALLERS,
              ROUNDS, MIN_GAP, MAX_GAP,
              () -> ChannelPoolHttpCaller.get(fixed, Loopback.LB + ":" + port, "/"), timer, created::get));
        }
        CompletableFuture.allOf(runs.toArray(new CompletableFuture<?>[0])).get(3, TimeUnit.MINUTES);

        System.out.println("\nS1 idle reaping: HAProxy 2s idle timeout, " + CALLERS + " callers, gaps "
            + MIN_GAP.toMillis() + "-" + MAX_GAP.toMillis() + "ms");
        for (CompletableFuture<Result> r : runs) {
          System.out.println("  " + r.get());
        }
        for (CompletableFuture<Result> r : runs) {
          Result result = r.get();
          assertTrue(result.requests >= 500, result.toString());
          if (result.name.startsWith("Tether")) {
            assertEquals(0, result.failures, result.toString());
          }
        }
      }
    } finally {
      for (AutoCloseable c : closers) {
        c.close();
      }
      timer.shutdownNow();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static TetherHttpClient tetherClient(
      EventLoopGroup group, int port, boolean retry, RecordingListener events) {
    return TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
        .listener(events)
        .config(PoolConfig.builder()
            .name("s1")
            .server("haproxy", Loopback.LB, port)
            .lbIdleTimeout(Duration.ofSeconds(2)) // HAProxy's timeout: evict at 0.9 of it
            .maxConnections(50)
            .build())
        .retryIdempotentRequests(retry)
        .build();
  }

  private static CompletableFuture<Integer> get(TetherHttpClient client) {
    return client.send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"))
        .thenApply(r -> {
          int code = r.status().code();
          r.release();
          if (code != 200) {
            throw new IllegalStateException("status " + code);
          }
          return code;
        });
  }
}
