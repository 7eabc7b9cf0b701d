package io.tether.netty.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.tether.netty.http.RetryPolicy;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.server.ServerDrain;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.DrainableBackend;
import io.tether.netty.testing.Netty3DrainableBackend;
import io.tether.netty.testing.Restartable;
import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.HttpLoad;
import io.tether.netty.testing.Loopback;
import io.tether.pool.PoolConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A rolling restart of three Netty 4 backends behind a real HAProxy ({@code balance leastconn}, HTTP
 * checks with {@code send-state} and {@code disable-on-404}, {@code agent-check}), one at a time with
 * {@link ServerDrain}, under 64 callers of keep-alive load through Tether with retries off.
 */
@Tag("haproxy")
class RollingRestartScenarioTest {

  @Test
  void aDrainedRollingRestartFailsNoRequestAndNoResetReachesAHandler() throws Exception {
    int[] r = rollingRestart(true, netty4());
    assertEquals(0, r[1], "failed requests");
    assertEquals(0, r[2], "exceptions reaching handlers");
    assertTrue(r[0] > 1000, r[0] + " requests");
  }

  /** The same restart with each server simply stopped (listener and connections closed): what the drain removes. */
  @Test
  void anUndrainedRollingRestartFailsRequests() throws Exception {
    int[] r = rollingRestart(false, netty4());
    assertTrue(r[1] > 0, "stopping servers under load without a drain failed no request: " + r[1]);
  }

  @Test
  @Tag("netty3")
  void aDrainedRollingRestartOfNetty3BackendsFailsNoRequest() throws Exception {
    java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    try {
      int[] r = rollingRestart(true, (name, host, p, agentPort) -> new Netty3DrainableBackend(name, host, p, agentPort, timer));
      assertEquals(0, r[1], "failed requests");
      assertEquals(0, r[2], "exceptions reaching handlers");
      assertTrue(r[0] > 1000, r[0] + " requests");
    } finally {
      timer.shutdownNow();
    }
  }

  private static final EventLoopGroup SERVERS = new NioEventLoopGroup(2);

  @org.junit.jupiter.api.AfterAll
  static void shutDownServers() {
    SERVERS.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static Restartable.Factory netty4() {
    return (name, host, p, agentPort) -> new DrainableBackend(SERVERS, name, host, p, agentPort);
  }

  /** Restarts three backends one at a time under load; returns {ok, failed, exceptions in handlers}. */
  private static int[] rollingRestart(boolean drained, Restartable.Factory factory) throws Exception {
    EventLoopGroup clients = new NioEventLoopGroup(2);
    String[] hosts = {Loopback.APP1, Loopback.APP2, Loopback.APP1};
    Restartable[] backends = new Restartable[3];
    for (int i = 0; i < 3; i++) {
      backends[i] = factory.start("app" + (i + 1), hosts[i], 0, 0);
    }
    int port = Loopback.freePort(Loopback.LB);
    StringBuilder be = new StringBuilder("backend be\n  balance leastconn\n  option httpchk GET /health\n"
        + "  http-check send-state\n  http-check disable-on-404\n  default-server check inter 100 fall 1 rise 1\n");
    for (Restartable b : backends) {
      be.append("  server ").append(b.name()).append(' ').append(hosts[Integer.parseInt(b.name().substring(3)) - 1])
          .append(':').append(b.port()).append(" agent-check agent-port ").append(b.agentPort())
          .append(" agent-inter 100\n");
    }
    HttpLoad load = null;
    List<Restartable> all = new ArrayList<>(List.of(backends));
    try (Haproxy lb = Haproxy.start("defaults\n  mode http\n  timeout connect 1s\n  timeout client 10s\n"
        + "  timeout server 10s\n  timeout http-keep-alive 10s\nfrontend fe\n  bind " + Loopback.LB + ":" + port
        + "\n  default_backend be\n" + be);
        TetherHttpClient client = TetherHttpClient.builder(new Bootstrap().group(clients).channel(NioSocketChannel.class))
            .config(PoolConfig.builder().name("rolling").server("lb", Loopback.LB, port).maxConnections(64)
                .lbIdleTimeout(Duration.ofSeconds(10)).build())
            .retryPolicy(RetryPolicy.NONE).requestTimeout(Duration.ofSeconds(5)).build()) {
      for (Restartable b : backends) {
        Await.until(Duration.ofSeconds(5), () -> "UP".equals(b.status().balancerState()), () -> b.name() + " not checked yet");
      }
      load = HttpLoad.start(client, 64, Duration.ZERO);
      Thread.sleep(300);
      for (int i = 0; i < 3; i++) {
        Restartable old = backends[i];
        Object report = "stopped without a drain";
        if (drained) {
          report = old.drain().get(15, TimeUnit.SECONDS);
        } else {
          old.stopNow();
        }
        old.close();
        Restartable fresh = factory.start(old.name(), hosts[i], old.port(), old.agentPort());
        all.add(fresh);
        backends[i] = fresh;
        // A deploy moves on once the balancer has the server back in rotation: its checks and its agent
        // (whose earlier "drain" HAProxy keeps until the new agent says "ready").
        Await.until(Duration.ofSeconds(5), () -> "UP".equals(fresh.status().balancerState())
            && "UP".equals(lb.status("be", fresh.name())), () -> fresh.name() + " not back: " + fresh.status());
        System.out.printf("rolling restart: %s drained (%s) and restarted%n", old.name(), report);
        Thread.sleep(200);
      }
      load.stop();
      int exceptions = all.stream().mapToInt(Restartable::appExceptions).sum();
      List<String> sample = all.stream().flatMap(b -> b.appExceptionSample().stream()).toList();
      System.out.printf("rolling restart of 3 %s backends, %s: %d requests ok, %d failed, %d exceptions in "
          + "handlers %s; first failures %s%n", backends[0].getClass().getSimpleName(),
          drained ? "drained" : "not drained", load.ok.get(), load.failed.get(), exceptions, sample,
          load.firstFailures(5));
      for (Restartable b : backends) {
        assertTrue(b.served() > 0, b.name() + " served after its restart");
      }
      return new int[] {load.ok.get(), load.failed.get(), exceptions};
    } finally {
      if (load != null) {
        load.stop();
      }
      for (Restartable b : all) {
        b.close();
      }
      clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
