package io.tether.netty.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.PoolConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scenario 2 of ../shared/SCENARIOS.md: HAProxy health-checks its backends every 200ms and ends each
 * check with an RST. A plain Netty 4 server that keeps the check's connection open (as the field
 * report's did) sees about five "Connection reset" a second in its handler; with Tether's
 * QuietResetHandler added last, none reaches the application and each is counted.
 */
@Tag("haproxy")
class ResetNoiseScenarioTest {

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void healthCheckResetsNeverReachTheApplication() throws Exception {
    EventLoopGroup group = new NioEventLoopGroup(1);
    try (TestHttpServer tether1 = TestHttpServer.withTether("app1", Loopback.APP1);
        TestHttpServer tether2 = TestHttpServer.withTether("app2", Loopback.APP2);
        TestHttpServer plain1 = TestHttpServer.plain("plain1", Loopback.APP1);
        TestHttpServer plain2 = TestHttpServer.plain("plain2", Loopback.APP2)) {
      for (TestHttpServer s : List.of(tether1, tether2, plain1, plain2)) {
        s.alwaysKeepAlive = true; // the field report's servers: see TestHttpServer.alwaysKeepAlive
      }
      int tetherPort = Loopback.freePort(Loopback.LB);
      int plainPort = Loopback.freePort(Loopback.LB);
      String check = " check inter 200 fall 1 rise 1\n";
      try (Haproxy haproxy = Haproxy.start(
              "defaults\n"
                  + "  mode http\n"
                  + "  timeout connect 2s\n"
                  + "  timeout client 30s\n"
                  + "  timeout server 30s\n\n"
                  + "listen s2_tether\n"
                  + "  bind " + Loopback.LB + ":" + tetherPort + "\n"
                  + "  option httpchk GET /health\n"
                  + "  server app1 " + tether1.address() + check
                  + "  server app2 " + tether2.address() + check + "\n"
                  + "listen s2_plain\n"
                  + "  bind " + Loopback.LB + ":" + plainPort + "\n"
                  + "  option httpchk GET /health\n"
                  + "  server plain1 " + plain1.address() + check
                  + "  server plain2 " + plain2.address() + check);
          TetherHttpClient toTether = client(group, tetherPort);
          TetherHttpClient toPlain = client(group, plainPort)) {
        // 5 seconds of checks, with application traffic flowing meanwhile.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int served = 0;
        while (System.nanoTime() < end) {
          for (TetherHttpClient c : List.of(toTether, toPlain)) {
            c.send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/")).get(5, TimeUnit.SECONDS).release();
            served++;
          }
        }
        long resets = tether1.quiet.resets() + tether2.quiet.resets();
        int plainExceptions = plain1.appExceptions.size() + plain2.appExceptions.size();
        System.out.printf("%nS2 reset noise over 5s (HAProxy httpchk inter 200, %d requests served):%n", served);
        System.out.printf("  plain Netty 4 servers: %d exceptions reached the application, e.g. %s%n",
            plainExceptions, plain1.appExceptions.isEmpty() ? "-" : plain1.appExceptions.get(0));
        System.out.printf("  with QuietResetHandler: %d exceptions reached the application, %d resets counted%n",
            tether1.appExceptions.size() + tether2.appExceptions.size(), resets);

        assertEquals(List.of(), tether1.appExceptions);
        assertEquals(List.of(), tether2.appExceptions);
        assertTrue(resets > 0, "health-check resets were seen and counted");
        assertTrue(tether1.requests.get() + tether2.requests.get() > 0);
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static TetherHttpClient client(EventLoopGroup group, int port) {
    return TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
        .config(PoolConfig.builder().server("haproxy", Loopback.LB, port).build())
        .build();
  }
}
