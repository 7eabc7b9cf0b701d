package io.tether.netty.haproxy;

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
import io.tether.pool.haproxy.HaproxyConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client configured only from the haproxy.cfg it connects through, in mode http and in mode tcp, with
 * idle gaps straddling the effective timeout and retries off: not one request may fail. The timeouts are
 * the ones a reader that knew only "http-keep-alive, else client" got wrong: in http, {@code timeout
 * client} caps a longer {@code http-keep-alive}; in tcp, the backend's {@code timeout server} is shorter
 * than the frontend's {@code timeout client}. Netty's FixedChannelPool runs the same load beside it and
 * fails, which shows the load meets the timeout.
 */
@Tag("haproxy")
@Tag("slow")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class HaproxyDerivedClientTest {
  private static final int CALLERS = 64;
  private static final int ROUNDS = 160; // 64 x 160 = 10,240 requests per mode
  private static final Duration TIMEOUT = Duration.ofMillis(300);
  private static final Duration MIN_GAP = Duration.ofMillis(240);
  private static final Duration MAX_GAP = Duration.ofMillis(360);

  @Test
  void aClientConfiguredOnlyFromHaproxyCfgNeverMeetsTheIdleClose() throws Exception {
    EventLoopGroup group = new NioEventLoopGroup(2);
    ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    List<AutoCloseable> closers = new ArrayList<>();
    try (TestHttpServer app1 = TestHttpServer.plain("app1", Loopback.APP1)) {
      int httpPort = Loopback.freePort(Loopback.LB);
      int tcpPort = Loopback.freePort(Loopback.LB);
      try (Haproxy lb = Haproxy.start(
          "defaults\n  timeout connect 2s\n  maxconn 1000\n\n"
              + "frontend web\n  mode http\n  bind " + Loopback.LB + ":" + httpPort + "\n"
              + "  timeout client " + TIMEOUT.toMillis() + "ms\n  timeout http-keep-alive 5s\n  default_backend app\n\n"
              + "backend app\n  mode http\n  timeout server 5s\n  server app1 " + app1.address() + "\n\n"
              + "frontend raw\n  mode tcp\n  bind " + Loopback.LB + ":" + tcpPort + "\n  timeout client 5s\n"
              + "  default_backend raw\n\n"
              + "backend raw\n  mode tcp\n  timeout server " + TIMEOUT.toMillis() + "ms\n  server app1 " + app1.address()
              + "\n")) {
        HaproxyConfig cfg = HaproxyConfig.read(lb.dir().resolve("haproxy.cfg"));
        assertEquals(TIMEOUT, cfg.clientIdleTimeout("web").value(), cfg.clientIdleTimeout("web").describe());
        assertEquals(TIMEOUT, cfg.clientIdleTimeout("raw").value(), cfg.clientIdleTimeout("raw").describe());
        List<CompletableFuture<Result>> runs = new ArrayList<>();
        for (String[] fe : new String[][] {{"web", Integer.toString(httpPort)}, {"raw", Integer.toString(tcpPort)}}) {
          int port = Integer.parseInt(fe[1]);
          TetherHttpClient client = TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
              .config(PoolConfig.builder().name(fe[0]).server("lb", Loopback.LB, port).maxConnections(CALLERS)
                  .apply(cfg.frontend(fe[0])).build())
              .retryIdempotentRequests(false)
              .build();
          closers.add(client);
          runs.add(IdleGapWorkload.run("Tether from haproxy.cfg, frontend " + fe[0], CALLERS, ROUNDS, MIN_GAP, MAX_GAP,
              () -> client.send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/")).thenApply(r -> {
                r.release();
                return r;
              }), timer));
          AtomicInteger created = new AtomicInteger();
          FixedChannelPool fixed = new FixedChannelPool(
              new Bootstrap().group(group).channel(NioSocketChannel.class).remoteAddress(Loopback.LB, port),
              ChannelPoolHttpCaller.handler(created), CALLERS);
          closers.add(fixed);
          runs.add(IdleGapWorkload.run("Netty FixedChannelPool, frontend " + fe[0] + " (reported only)", CALLERS,
              ROUNDS / 4, MIN_GAP, MAX_GAP, () -> ChannelPoolHttpCaller.get(fixed, Loopback.LB + ":" + port, "/"), timer,
              created::get));
        }
        CompletableFuture.allOf(runs.toArray(new CompletableFuture<?>[0])).get(3, TimeUnit.MINUTES);
        System.out.println("\nclients configured from haproxy.cfg, idle timeout " + TIMEOUT.toMillis() + "ms, gaps "
            + MIN_GAP.toMillis() + "-" + MAX_GAP.toMillis() + "ms, retries off:");
        int netty = 0;
        for (CompletableFuture<Result> r : runs) {
          Result res = r.get();
          System.out.println("  " + res);
          if (res.name.startsWith("Tether")) {
            assertEquals(CALLERS * ROUNDS, res.requests, res.toString());
            assertEquals(0, res.failures, res.toString());
          } else {
            netty += res.failures;
          }
        }
        assertTrue(netty > 0, "the same load through Netty's pool meets the idle close: the test can fail");
      }
    } finally {
      for (AutoCloseable c : closers) {
        c.close();
      }
      timer.shutdownNow();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
