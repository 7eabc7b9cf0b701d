package io.tether.netty3;

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
import io.tether.netty.http.RetryPolicy;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.Netty3DrainableBackend;
import io.tether.pool.PoolConfig;
import io.tether.pool.haproxy.DrainSequence;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The Netty 3 drain behind a real HAProxy under keep-alive load, retries off: no request fails. */
@Tag("haproxy")
@Tag("netty3")
class Netty3ServerDrainTest {

  @Test
  void aDrainedNetty3BackendLosesNoRequest() throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    EventLoopGroup clients = new NioEventLoopGroup(2);
    Netty3DrainableBackend app1 = new Netty3DrainableBackend("app1", Loopback.APP1, 0, -1, timer);
    Netty3DrainableBackend app2 = new Netty3DrainableBackend("app2", Loopback.APP2, 0, -1, timer);
    int port = Loopback.freePort(Loopback.LB);
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger ok = new AtomicInteger();
    try (Haproxy lb = Haproxy.start("defaults\n  mode http\n  timeout connect 1s\n  timeout client 10s\n"
        + "  timeout server 10s\nfrontend fe\n  bind " + Loopback.LB + ":" + port + "\n  default_backend be\n"
        + "backend be\n  option httpchk GET /health\n  http-check send-state\n  http-check disable-on-404\n"
        + "  default-server check inter 100 fall 1 rise 1\n  server app1 " + Loopback.APP1 + ":" + app1.port()
        + "\n  server app2 " + Loopback.APP2 + ":" + app2.port() + "\n");
        TetherHttpClient client = TetherHttpClient.builder(new Bootstrap().group(clients).channel(NioSocketChannel.class))
            .config(PoolConfig.builder().name("drain3").server("lb", Loopback.LB, port).maxConnections(16).build())
            .retryPolicy(RetryPolicy.NONE).requestTimeout(Duration.ofSeconds(5)).build()) {
      Await.until(Duration.ofSeconds(5), () -> "UP".equals(app1.status().balancerState()), () -> "checks");
      List<Thread> callers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Thread t = new Thread(() -> {
          while (running.get()) {
            try {
              FullHttpResponse r = client.send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"))
                  .get(10, TimeUnit.SECONDS);
              (r.status().code() == 200 ? ok : failed).incrementAndGet();
              r.release();
            } catch (Exception e) {
              failed.incrementAndGet();
            }
          }
        });
        t.start();
        callers.add(t);
      }
      Thread.sleep(400);
      DrainSequence.Report report = app1.drain().get(15, TimeUnit.SECONDS);
      int app1After = app1.served();
      Thread.sleep(400);
      running.set(false);
      for (Thread t : callers) {
        t.join(10_000);
      }
      System.out.printf("Netty 3 drain: %s; %d ok, %d failed%n", report, ok.get(), failed.get());
      assertEquals(0, failed.get());
      assertTrue(report.acknowledged());
      assertTrue(app1After > 0);
      assertEquals(app1After, app1.served(), "nothing reached the drained server afterwards");
    } finally {
      running.set(false);
      app1.close();
      app2.close();
      clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      timer.shutdownNow();
    }
  }
}
