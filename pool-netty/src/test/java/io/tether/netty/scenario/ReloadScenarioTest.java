package io.tether.netty.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.tether.netty.http.RetryPolicy;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.HttpLoad;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.PoolConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Ten soft reloads of a real HAProxy ({@code -sf}) under keep-alive load from a pooled client. On a
 * reload the old process closes every idle client connection; a request written at that instant fails
 * unless HAProxy answers it with {@code Connection: close} ({@code option idle-close-on-response}) or
 * the client retries it.
 */
@Tag("haproxy")
@Tag("slow")
class ReloadScenarioTest {
  private static final int RELOADS = 10;

  /** Runs the load across the reloads and returns {failed, ok}. */
  private static int[] run(boolean idleCloseOnResponse, RetryPolicy retries) throws Exception {
    EventLoopGroup group = new NioEventLoopGroup(2);
    int port = Loopback.freePort(Loopback.LB);
    HttpLoad load = null;
    try (TestHttpServer app1 = TestHttpServer.plain("app1", Loopback.APP1);
        TestHttpServer app2 = TestHttpServer.plain("app2", Loopback.APP2);
        Haproxy lb = Haproxy.start("defaults\n  mode http\n  timeout connect 1s\n  timeout client 10s\n"
            + "  timeout server 10s\n  timeout http-keep-alive 10s\n"
            + (idleCloseOnResponse ? "  option idle-close-on-response\n" : "")
            + "frontend fe\n  bind " + Loopback.LB + ":" + port + "\n  default_backend be\n"
            + "backend be\n  server app1 " + app1.address() + "\n  server app2 " + app2.address() + "\n");
        TetherHttpClient client = TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
            .config(PoolConfig.builder().name("reload").server("lb", Loopback.LB, port).maxConnections(16)
                .lbIdleTimeout(Duration.ofSeconds(10)).build())
            .retryPolicy(retries).requestTimeout(Duration.ofSeconds(5)).build()) {
      // Gaps between requests, so that connections sit idle when the reload comes.
      load = HttpLoad.start(client, 16, Duration.ofMillis(2));
      Thread.sleep(300);
      for (int i = 0; i < RELOADS; i++) {
        lb.reload();
        Thread.sleep(300);
      }
      load.stop();
      Await.until(Duration.ofSeconds(12), lb::oldProcessesExited, () -> "old HAProxy processes still running");
      // Pooled clients must not pin an old process: each leaves within timeout http-keep-alive + 1 s.
      List<Duration> lifetimes = lb.oldProcessLifetimes();
      System.out.println("old processes exited after (ms): " + lifetimes.stream().map(Duration::toMillis).toList());
      assertEquals(RELOADS, lifetimes.size());
      for (Duration d : lifetimes) {
        assertTrue(d.compareTo(Duration.ofSeconds(11)) <= 0, "an old process lived " + d + " after its reload");
      }
    } finally {
      if (load != null) {
        load.stop();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    return new int[] {load.failed.get(), load.ok.get()};
  }

  @Test
  void withIdleCloseOnResponseNoRequestFailsAcrossTenReloads() throws Exception {
    int[] r = run(true, RetryPolicy.NONE);
    System.out.printf("%d reloads, option idle-close-on-response, retries off: %d failed of %d%n", RELOADS, r[0], r[0] + r[1]);
    assertEquals(0, r[0]);
    assertTrue(r[1] > 1000, r[1] + " requests");
  }

  @Test
  void withoutItIdempotentRetriesCatchWhatTheReloadBreaks() throws Exception {
    int[] off = run(false, RetryPolicy.NONE);
    int[] on = run(false, RetryPolicy.DEFAULT);
    System.out.printf("%d reloads, no idle-close-on-response: retries off %d failed of %d; retries on %d failed of %d%n",
        RELOADS, off[0], off[0] + off[1], on[0], on[0] + on[1]);
    assertEquals(0, on[0], "retries on");
  }
}
