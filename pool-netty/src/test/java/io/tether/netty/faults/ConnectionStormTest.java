package io.tether.netty.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import io.tether.netty.TetherChannelPool;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.ChannelPoolHttpCaller;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.PendingAcquireLimitException;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolStats;
import io.tether.pool.internal.TestHooks;
import io.tether.pool.metrics.micrometer.PoolMeters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** 10,000 acquires against a pool of 100 with a waiting queue of 1,000, on real sockets. */
class ConnectionStormTest {

  @Test
  @Timeout(60)
  void theExcessIsRejectedAtOnceAndWaitersAreServedInOrder() throws Exception {
    EventLoopGroup group = new NioEventLoopGroup(2);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (TestHttpServer server = TestHttpServer.plain("app1", Loopback.APP1)) {
      TetherChannelPool pool = TetherChannelPool.builder(
              new Bootstrap().group(group).channel(NioSocketChannel.class).remoteAddress(server.host(), server.port()))
          .handler(ChannelPoolHttpCaller.handler())
          .config(PoolConfig.builder().name("storm").maxConnections(100).maxPendingAcquires(1000)
              .acquireTimeout(Duration.ofSeconds(30)).build())
          .metrics(new PoolMeters(registry))
          .build();
      List<Channel> held = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        held.add(pool.acquire().get(5, TimeUnit.SECONDS));
      }

      List<Future<Channel>> waiting = new ArrayList<>();
      int rejected = 0;
      long t0 = System.nanoTime();
      for (int i = 0; i < 10_000; i++) {
        Future<Channel> f = pool.acquire();
        if (f.isDone()) {
          assertInstanceOf(PendingAcquireLimitException.class, f.cause(), "acquire " + i);
          rejected++;
        } else {
          waiting.add(f);
        }
      }
      long stormMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0);
      assertEquals(9_000, rejected, "everything past 1,000 waiting is rejected at once");
      assertEquals(1_000, waiting.size());
      assertEquals(1_000, pool.stats().pending());

      // Free one connection at a time: each must go to the oldest waiter, and to no one else.
      Channel free = held.remove(held.size() - 1);
      for (int i = 0; i < waiting.size(); i++) {
        pool.release(free);
        Future<Channel> next = waiting.get(i);
        int served = i;
        Await.until(Duration.ofSeconds(5), next::isDone, () -> "waiter " + served + " not served");
        assertTrue(next.isSuccess());
        if (i + 1 < waiting.size()) {
          assertFalse(waiting.get(i + 1).isDone(), "waiter " + (i + 1) + " was served before its turn");
        }
        free = next.getNow();
      }
      // A release may complete on the event loop (when it has work queued): wait for each.
      pool.release(free).syncUninterruptibly();
      held.forEach(ch -> pool.release(ch).syncUninterruptibly());

      PoolStats stats = pool.stats();
      System.out.printf("%nstorm: 10,000 acquires in %dus, %d rejected at once, 1,000 served in order; %s%n",
          stormMicros, rejected, stats);
      assertEquals(0, stats.pending());
      assertEquals(0, stats.leased());
      assertEquals(100, stats.idle());
      assertEquals(9_000, registry.get("tether.pool.acquire.rejected").counter().count());
      @SuppressWarnings("unchecked")
      io.tether.pool.ConnectionPool<?> engine = pool.leases();
      assertEquals(List.of(), TestHooks.checkInvariants(engine));
      assertEquals(100, TestHooks.reservedConnections(engine));
      pool.close();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
