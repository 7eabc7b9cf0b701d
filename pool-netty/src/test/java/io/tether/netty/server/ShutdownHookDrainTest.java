package io.tether.netty.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.tether.netty.http.RetryPolicy;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.BackendProcess;
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
 * The documented shutdown hook, for real: a backend in its own JVM drains from a shutdown hook when the
 * deploy sends SIGTERM. Behind HAProxy (HTTP checks with {@code disable-on-404} and {@code send-state},
 * {@code inter 100}), 8 callers through Tether, retries off: no request fails, the JVM exits once the
 * drain is done, and the other backend takes the traffic.
 */
@Tag("haproxy")
class ShutdownHookDrainTest {

  @Test
  void sigtermDrainsThroughTheShutdownHookWithoutAFailedRequest() throws Exception {
    EventLoopGroup servers = new NioEventLoopGroup(1);
    EventLoopGroup clients = new NioEventLoopGroup(2);
    DrainableBackend app2 = new DrainableBackend(servers, "app2", Loopback.APP2, 0, -1);
    int port = Loopback.freePort(Loopback.LB);
    HttpLoad load = null;
    try (BackendProcess app1 = BackendProcess.startDraining("app1", Loopback.APP1);
        Haproxy lb = Haproxy.start("defaults\n  mode http\n  timeout connect 1s\n  timeout client 10s\n"
            + "  timeout server 10s\n  timeout http-keep-alive 10s\nfrontend fe\n  bind " + Loopback.LB + ":" + port
            + "\n  default_backend be\nbackend be\n  balance roundrobin\n  option httpchk GET /health\n"
            + "  http-check send-state\n  http-check disable-on-404\n  default-server check inter 100 fall 1 rise 1\n"
            + "  server app1 " + Loopback.APP1 + ":" + app1.port + "\n  server app2 " + Loopback.APP2 + ":" + app2.port()
            + "\n");
        TetherHttpClient client = TetherHttpClient.builder(new Bootstrap().group(clients).channel(NioSocketChannel.class))
            .config(PoolConfig.builder().name("hook").server("lb", Loopback.LB, port).maxConnections(16)
                .lbIdleTimeout(Duration.ofSeconds(10)).build())
            .retryPolicy(RetryPolicy.NONE).requestTimeout(Duration.ofSeconds(5)).build()) {
      // HAProxy answers 503 until its first checks have seen a server up: load starts after that.
      lb.awaitUp(Duration.ofSeconds(10), "be", "app1", "app2");
      HttpLoad l = HttpLoad.start(client, 8, Duration.ZERO);
      load = l;
      Await.until("both backends serve", Duration.ofSeconds(5),
          () -> l.servedBy("app1") > 50 && l.servedBy("app2") > 50);
      long start = System.nanoTime();
      String output = app1.terminate(15);
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      int app1Served = l.servedBy("app1");
      Thread.sleep(300);
      l.stop();
      System.out.printf("SIGTERM with the shutdown hook: exited after %d ms; %s; served %s; %d failed%n", tookMs,
          output.trim().replace('\n', ';'), l.bodies, l.failed.get());
      assertEquals(List.of(), new ArrayList<>(l.failures), "no request failed");
      assertTrue(output.startsWith("exit 143"), "the JVM ended by SIGTERM, after its hooks: " + output);
      assertTrue(output.contains("drained: Report[acknowledged=true"), "the hook ran the drain to the end: " + output);
      assertEquals(app1Served, l.servedBy("app1"), "nothing answered by app1 once it exited");
      assertTrue(l.servedBy("app2") > 50, "app2 took the traffic");
    } finally {
      if (load != null) {
        load.stop();
      }
      app2.close();
      clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      servers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
