package io.tether.netty.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
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
import io.tether.pool.metrics.micrometer.PoolMeters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pool's connection gauges against HAProxy's own count of client sessions (show stat, scur). */
@Tag("haproxy")
class GaugesAgreeWithHaproxyTest {

  @Test
  @Timeout(60)
  void poolGaugesMatchHaproxyCurrentSessions() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    EventLoopGroup group = new NioEventLoopGroup(2);
    try (TestHttpServer app1 = TestHttpServer.plain("app1", Loopback.APP1)) {
      int port = Loopback.freePort(Loopback.LB);
      try (Haproxy haproxy = Haproxy.start("defaults\n  mode http\n  timeout connect 2s\n  timeout client 1m\n"
              + "  timeout server 1m\n  timeout http-keep-alive 30s\n\n"
              + "listen metered\n  bind " + Loopback.LB + ":" + port + "\n  server app1 " + app1.address() + "\n");
          TetherHttpClient client = TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
              .config(PoolConfig.builder().name("metered").server("haproxy", Loopback.LB, port)
                  .lbIdleTimeout(Duration.ofSeconds(30)).build())
              .metrics(new PoolMeters(registry))
              .build()) {
        List<CompletableFuture<FullHttpResponse>> burst = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          burst.add(client.send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/")));
        }
        for (CompletableFuture<FullHttpResponse> f : burst) {
          f.get(10, TimeUnit.SECONDS).release();
        }
        // A response completes before its connection is handed back (at the end of the read that carried
        // it): wait until every connection is back, so the two gauges are read at rest, not mid-move.
        Await.until(Duration.ofSeconds(5), () -> gauge(registry, "leased") == 0,
            () -> "connections still leased after their responses: " + gauge(registry, "leased"));
        int opened = (int) gauge(registry, "idle");
        System.out.printf("%npool gauges: idle %.0f leased %.0f; HAProxy frontend scur %s%n",
            gauge(registry, "idle"), gauge(registry, "leased"), scur(haproxy));
        Await.until(Duration.ofSeconds(5), () -> scur(haproxy) == opened,
            () -> "HAProxy scur " + scur(haproxy) + " vs pool " + opened);

        // Lease three channels: the split moves, the total HAProxy sees does not.
        List<Channel> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          held.add(client.pool().acquire().get(5, TimeUnit.SECONDS));
        }
        assertEquals(3, gauge(registry, "leased"));
        assertEquals(opened - 3, gauge(registry, "idle"));
        assertEquals(opened, scur(haproxy));

        // Shorten eviction on the live pool: idle ones go, HAProxy's count follows the gauges down.
        client.pool().leases().reconfigure(client.pool().config().toBuilder().lbIdleTimeout(Duration.ofMillis(500)).build());
        Await.until(Duration.ofSeconds(5), () -> gauge(registry, "idle") == 0 && scur(haproxy) == 3,
            () -> "idle " + gauge(registry, "idle") + ", HAProxy scur " + scur(haproxy));
        assertEquals(3, gauge(registry, "leased"));
        held.forEach(ch -> client.pool().release(ch).syncUninterruptibly());
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static double gauge(SimpleMeterRegistry r, String state) {
    return r.get("tether.pool.connections").tags("pool", "metered", "state", state).gauge().value();
  }

  private static int scur(Haproxy haproxy) {
    try {
      return Integer.parseInt(haproxy.stat("metered", "FRONTEND").get("scur"));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
