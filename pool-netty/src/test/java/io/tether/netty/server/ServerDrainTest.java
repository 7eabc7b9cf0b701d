package io.tether.netty.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.tether.netty.http.RetryPolicy;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.testing.DrainableBackend;
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
 * A backend drained under keep-alive load through a real HAProxy, retries off: no request fails, the
 * balancer acknowledges the drain, the other backend takes the traffic, and the drained server ends
 * with no connection and no listener.
 */
@Tag("haproxy")
class ServerDrainTest {

  @Test
  void aDrainedBackendLosesNoRequest() throws Exception {
    EventLoopGroup servers = new NioEventLoopGroup(2);
    EventLoopGroup clients = new NioEventLoopGroup(2);
    DrainableBackend app1 = new DrainableBackend(servers, "app1", Loopback.APP1, 0, -1);
    DrainableBackend app2 = new DrainableBackend(servers, "app2", Loopback.APP2, 0, -1);
    int port = Loopback.freePort(Loopback.LB);
    HttpLoad load = null;
    try (Haproxy lb = Haproxy.start("defaults\n  mode http\n  timeout connect 1s\n  timeout client 10s\n"
        + "  timeout server 10s\n  timeout http-keep-alive 10s\nfrontend fe\n  bind " + Loopback.LB + ":" + port
        + "\n  default_backend be\nbackend be\n  balance roundrobin\n  option httpchk GET /health\n"
        + "  http-check send-state\n  http-check disable-on-404\n"
        + "  default-server check inter 100 fall 1 rise 1\n"
        + "  server app1 " + Loopback.APP1 + ":" + app1.port() + "\n  server app2 " + Loopback.APP2 + ":" + app2.port() + "\n");
        TetherHttpClient client = TetherHttpClient.builder(new Bootstrap().group(clients).channel(NioSocketChannel.class))
            .config(PoolConfig.builder().name("drain").server("lb", Loopback.LB, port).maxConnections(16)
                .lbIdleTimeout(Duration.ofSeconds(10)).build())
            .retryPolicy(RetryPolicy.NONE).requestTimeout(Duration.ofSeconds(5)).build()) {
      io.tether.netty.testing.Await.until(Duration.ofSeconds(5),
          () -> "UP".equals(app1.status.balancerState()) && "UP".equals(app2.status.balancerState()), () -> "checks");
      // And HAProxy's own view: it answers 503 until its checks have both servers in rotation.
      lb.awaitUp(Duration.ofSeconds(5), "be", "app1", "app2");
      load = HttpLoad.start(client, 8, Duration.ZERO);
      Thread.sleep(500);
      int app1Before = app1.served.get();
      io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
      ServerMeters.of("app1", null, null, app1.drain).bindTo(registry);
      io.tether.pool.haproxy.DrainSequence.Report report = app1.drain.start().get(15, TimeUnit.SECONDS);
      assertEquals(report.closedAfterResponse(), registry.get("tether.server.drain.closes").tag("phase", "after-response")
          .functionCounter().count(), 0.0, "the meter counts what the report says");
      int app1After = app1.served.get();
      int app2Before = app2.served.get();
      Thread.sleep(500);
      load.stop();
      System.out.printf("drain: %s; %d requests ok, %d failed; app1 served %d before the drain, %d in all%n",
          report, load.ok.get(), load.failed.get(), app1Before, app1After);
      assertEquals(List.of(), new ArrayList<>(load.failures), "no request failed");
      assertTrue(report.acknowledged(), report.toString());
      assertTrue(app1Before > 0, "app1 served before the drain");
      assertFalse(app1.listener.isOpen(), "app1 stopped listening");
      assertEquals(app1After, app1.served.get(), "nothing reached app1 after its drain");
      assertTrue(app2.served.get() > app2Before, "app2 took the traffic");
    } finally {
      if (load != null) {
        load.stop();
      }
      app2.close();
      app1.close();
      clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      servers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
