package io.tether.netty.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.tether.netty.TetherChannelPool;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.BackendProcess;
import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.Iptables;
import io.tether.netty.testing.Loopback;
import io.tether.pool.Endpoint;
import io.tether.pool.HealthCheck;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolListener;
import io.tether.pool.ServerState;
import io.tether.pool.haproxy.HaproxyConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HAProxy's own checks are the oracle for Tether's checks derived from the same backend: one server is
 * black-holed (iptables DROP: connects time out), another frozen (SIGSTOP: connects succeed, requests get
 * no answer, so only an HTTP check notices). HAProxy's stats socket and Tether's listener must mark each
 * down at the same moment, within one {@code inter} (the two check schedules run at their own phase).
 */
@Tag("haproxy")
@Tag("oracle")
@Timeout(60)
class HaproxyChecksOracleTest {
  private static final Duration INTER = Duration.ofMillis(200);

  @Test
  void derivedChecksMarkServersDownWhenHaproxyDoes() throws Exception {
    Iptables.removeLeftovers();
    EventLoopGroup group = new NioEventLoopGroup(1);
    Map<String, Long> tetherDown = new ConcurrentHashMap<>();
    PoolListener listener = new PoolListener() {
      @Override
      public void stateChanged(Endpoint endpoint, ServerState from, ServerState to, String reason) {
        if (to == ServerState.DOWN) {
          tetherDown.put(endpoint.name(), System.nanoTime());
        }
      }
    };
    int port = Loopback.freePort(Loopback.LB);
    try (BackendProcess app1 = warm(BackendProcess.start("app1", Loopback.APP1), Loopback.APP1);
        BackendProcess app2 = warm(BackendProcess.start("app2", Loopback.APP2), Loopback.APP2);
        Haproxy lb = Haproxy.start("defaults\n  mode http\n  timeout connect 500ms\n  timeout client 5s\n"
            + "  timeout server 5s\n  timeout check 100ms\n"
            + "frontend fe\n  bind " + Loopback.LB + ":" + port + "\n  default_backend be\n"
            + "backend be\n  option httpchk GET /health\n  default-server check inter " + INTER.toMillis() + " fall 2 rise 1\n"
            + "  server app1 " + Loopback.APP1 + ":" + app1.port + "\n"
            + "  server app2 " + Loopback.APP2 + ":" + app2.port + "\n")) {
      HaproxyConfig cfg = HaproxyConfig.read(lb.dir().resolve("haproxy.cfg"));
      PoolConfig config = PoolConfig.builder().name("oracle").apply(cfg.backend("be")).build();
      HealthCheck check = config.healthCheck();
      assertEquals(HealthCheck.Type.HTTP, check.type(), "option httpchk");
      assertEquals(Duration.ofMillis(100), check.timeout(), "timeout check");
      assertEquals(INTER, check.connectTimeout(), "min(inter, timeout connect)");
      TetherChannelPool pool = TetherChannelPool.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
          .config(config).listener(listener).build();
      long started = System.nanoTime();
      try {
        // Both sides start a server up "but falling at its first failure" (health at rise); compare them
        // once each has passed checks and sits at full health: HAProxy's checks report L7OK, and Tether's
        // (spread over the first interval) have had two intervals.
        Await.until("HAProxy's checks passed", Duration.ofSeconds(5), () -> passed(lb, "app1") && passed(lb, "app2"));
        Await.until("two check intervals in Tether", Duration.ofSeconds(5),
            () -> System.nanoTime() - started > 2 * INTER.toNanos() + check.timeout().toNanos());
        assertEquals(ServerState.UP, pool.stats().server("app1").state());
        assertEquals(ServerState.UP, pool.stats().server("app2").state());
        tetherDown.clear(); // only what the black hole and the freeze cause counts
        long black = System.nanoTime();
        long haproxyApp1;
        try (Iptables.Rule rule = Iptables.drop(Loopback.APP1, app1.port)) {
          haproxyApp1 = awaitHaproxyDown(lb, "app1");
          Await.until("app1 down in Tether", Duration.ofSeconds(5), () -> tetherDown.containsKey("app1"));
        }
        long frozen = System.nanoTime();
        long haproxyApp2;
        app2.freeze();
        try {
          haproxyApp2 = awaitHaproxyDown(lb, "app2");
          Await.until("app2 down in Tether", Duration.ofSeconds(5), () -> tetherDown.containsKey("app2"));
        } finally {
          app2.thaw();
        }
        long d1 = TimeUnit.NANOSECONDS.toMillis(tetherDown.get("app1") - haproxyApp1);
        long d2 = TimeUnit.NANOSECONDS.toMillis(tetherDown.get("app2") - haproxyApp2);
        System.out.printf("checks vs HAProxy: black-holed app1 down after %d ms in HAProxy, %d ms in Tether; frozen "
            + "app2 after %d ms and %d ms%n", TimeUnit.NANOSECONDS.toMillis(haproxyApp1 - black),
            TimeUnit.NANOSECONDS.toMillis(tetherDown.get("app1") - black), TimeUnit.NANOSECONDS.toMillis(haproxyApp2 - frozen),
            TimeUnit.NANOSECONDS.toMillis(tetherDown.get("app2") - frozen));
        // One interval for the two schedules' phases, and the stats poll's granularity.
        assertTrue(Math.abs(d1) <= INTER.toMillis() + 20, "black-holed: Tether " + d1 + " ms from HAProxy");
        assertTrue(Math.abs(d2) <= INTER.toMillis() + 20, "frozen: Tether " + d2 + " ms from HAProxy");
      } finally {
        pool.close();
      }
    } finally {
      Iptables.removeLeftovers();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** A fresh JVM answers its first requests slowly: past a 100 ms check timeout. Warm it up first. */
  private static BackendProcess warm(BackendProcess b, String host) throws Exception {
    for (int i = 0; i < 200; i++) {
      try (java.net.Socket s = new java.net.Socket(host, b.port)) {
        s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        s.getInputStream().readAllBytes();
      }
    }
    return b;
  }

  private static boolean passed(Haproxy lb, String server) {
    try {
      return lb.stat("be", server).get("check_status").startsWith("L7OK");
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static long awaitHaproxyDown(Haproxy lb, String server) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      if (lb.stat("be", server).get("status").startsWith("DOWN")) {
        return System.nanoTime();
      }
      TimeUnit.MILLISECONDS.sleep(5);
    }
    throw new AssertionError(server + " never marked down by HAProxy");
  }
}
