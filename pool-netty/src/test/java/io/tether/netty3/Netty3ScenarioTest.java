package io.tether.netty3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.IdleGapWorkload;
import io.tether.netty.testing.Loopback;
import io.tether.netty3.testing.Netty3HttpCaller;
import io.tether.netty3.testing.Netty3HttpServer;
import io.tether.pool.PoolConfig;
import io.tether.pool.testing.RecordingListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.netty.bootstrap.ClientBootstrap;
import org.jboss.netty.channel.socket.nio.NioClientSocketChannelFactory;
import org.jboss.netty.util.HashedWheelTimer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The field report's Netty 3 app behind a real HAProxy: its resets, and the idle-gap workload. */
@Tag("netty3")
@Tag("haproxy")
class Netty3ScenarioTest {

  @Test
  @Timeout(60)
  void healthCheckResetsNeverReachANetty3Application() throws Exception {
    try (Netty3HttpServer tether1 = new Netty3HttpServer("app1", Loopback.APP1, true, null);
        Netty3HttpServer tether2 = new Netty3HttpServer("app2", Loopback.APP2, true, null);
        Netty3HttpServer plain = new Netty3HttpServer("plain", Loopback.APP1, false, null)) {
      String check = " check inter 200 fall 1 rise 1\n";
      try (Haproxy haproxy = Haproxy.start("defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n"
          + "  timeout server 30s\n\nlisten s2_netty3\n  bind " + Loopback.LB + ":" + Loopback.freePort(Loopback.LB) + "\n"
          + "  option httpchk GET /health\n  server app1 " + tether1.address() + check
          + "  server app2 " + tether2.address() + check
          + "listen s2_netty3_plain\n  bind " + Loopback.LB + ":" + Loopback.freePort(Loopback.LB) + "\n"
          + "  option httpchk GET /health\n  server plain " + plain.address() + check)) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < end) {
          Thread.sleep(50); // health checks run on HAProxy's schedule; nothing to wait for but time
        }
        long resets = tether1.quiet.resets() + tether2.quiet.resets();
        System.out.printf("%nS2 Netty 3 over 5s: plain server %d exceptions in the app (%s); "
            + "with QuietResetHandler 0 in the app, %d resets counted%n",
            plain.appExceptions.size(), plain.appExceptions.isEmpty() ? "-" : plain.appExceptions.get(0), resets);
        assertEquals(List.of(), tether1.appExceptions);
        assertEquals(List.of(), tether2.appExceptions);
        assertTrue(resets > 0);
      }
    }
  }

  @Test
  @Tag("slow")
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void idleGapsStraddlingTheBalancerTimeoutFailNothingThroughTheNetty3Pool() throws Exception {
    NioClientSocketChannelFactory factory = new NioClientSocketChannelFactory(
        Executors.newCachedThreadPool(), Executors.newCachedThreadPool(), 1, 2);
    HashedWheelTimer timer = new HashedWheelTimer(10, TimeUnit.MILLISECONDS);
    ScheduledExecutorService gaps = Executors.newScheduledThreadPool(2);
    try (Netty3HttpServer app1 = new Netty3HttpServer("app1", Loopback.APP1, true, null);
        Netty3HttpServer app2 = new Netty3HttpServer("app2", Loopback.APP2, true, null)) {
      int port = Loopback.freePort(Loopback.LB);
      try (Haproxy haproxy = Haproxy.start("defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n"
          + "  timeout server 30s\n  timeout http-keep-alive 2s\n\nlisten s1_netty3\n  bind " + Loopback.LB + ":" + port
          + "\n  balance roundrobin\n  server app1 " + app1.address() + "\n  server app2 " + app2.address() + "\n")) {
        ClientBootstrap b = new ClientBootstrap(factory);
        b.setPipelineFactory(Netty3HttpCaller.pipeline());
        RecordingListener events = new RecordingListener();
        Netty3ChannelPool pool = Netty3ChannelPool.builder(b, timer)
            .config(PoolConfig.builder().name("s1-netty3").server("haproxy", Loopback.LB, port)
                .lbIdleTimeout(Duration.ofSeconds(2)).maxConnections(50).build())
            .listener(events).build();
        try {
          IdleGapWorkload.Result r = IdleGapWorkload.run("Tether Netty 3 pool, mode http", 16, 32,
              Duration.ofMillis(1900), Duration.ofMillis(2100),
              () -> Netty3HttpCaller.get(pool, Loopback.LB + ":" + port, "/"), gaps,
              () -> events.matching("connected").size()).get(150, TimeUnit.SECONDS);
          System.out.println("\nS1 through the Netty 3 pool: " + r);
          assertTrue(r.requests >= 500, r.toString());
          assertEquals(0, r.failures, r.toString());
        } finally {
          pool.close();
        }
      }
    } finally {
      gaps.shutdownNow();
      timer.stop();
      factory.releaseExternalResources();
    }
  }
}
