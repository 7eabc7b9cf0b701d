package io.tether.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.FixedChannelPool.AcquireTimeoutAction;
import io.tether.pool.ConnectFailedException;
import io.tether.pool.Endpoint;
import io.tether.pool.OnAcquireTimeout;
import io.tether.pool.PoolConfig;
import io.tether.pool.ReuseOrder;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * What {@code FixedChannelPool}'s argument lists become, at each boundary Netty checks, with Netty's own
 * messages; and the unwrapping that gives a Netty user the transport's exception for a failed connect.
 */
class NettyDefaultsTest {

  @Test
  void nettysArgumentChecksAndMessagesAtTheirBoundaries() {
    assertEquals("maxConnections: 0 (expected: > 0)", assertThrows(IllegalArgumentException.class,
        () -> NettyDefaults.fixed(null, -1, 0, 1, true)).getMessage());
    assertEquals(1, NettyDefaults.fixed(null, -1, 1, 1, true).maxConnections());
    assertEquals("maxPendingAcquires: 0 (expected: > 0)", assertThrows(IllegalArgumentException.class,
        () -> NettyDefaults.fixed(null, -1, 1, 0, true)).getMessage());
    assertEquals(1, NettyDefaults.fixed(null, -1, 1, 1, true).maxPendingAcquires());
    assertEquals("action", assertThrows(NullPointerException.class,
        () -> NettyDefaults.fixed(null, 0, 1, 1, true)).getMessage());
    assertEquals("acquireTimeoutMillis: -2 (expected: >= 0)", assertThrows(IllegalArgumentException.class,
        () -> NettyDefaults.fixed(AcquireTimeoutAction.FAIL, -2, 1, 1, true)).getMessage());
  }

  @Test
  void acquireTimeoutsAsNettyMeansThem() {
    assertEquals(PoolConfig.NO_LIMIT, NettyDefaults.fixed(null, -1, 1, 1, true).acquireTimeout(), "no action, -1: none");
    PoolConfig zero = NettyDefaults.fixed(AcquireTimeoutAction.FAIL, 0, 1, 1, true);
    assertEquals(Duration.ZERO, zero.acquireTimeout());
    assertEquals(OnAcquireTimeout.FAIL, zero.onAcquireTimeout());
    assertEquals(OnAcquireTimeout.CONNECT, NettyDefaults.fixed(AcquireTimeoutAction.NEW, 5, 1, 1, true)
        .onAcquireTimeout());
    long days24 = Duration.ofDays(24).toMillis();
    assertEquals(Duration.ofDays(24), NettyDefaults.fixed(AcquireTimeoutAction.FAIL, days24, 1, 1, true)
        .acquireTimeout(), "24 days is still a time");
    assertEquals(PoolConfig.NO_LIMIT, NettyDefaults.fixed(AcquireTimeoutAction.FAIL, days24 + 1, 1, 1, true)
        .acquireTimeout(), "beyond, no timer would ever fire: none");
  }

  @Test
  void lastRecentUsedIsTheReuseOrder() {
    assertEquals(ReuseOrder.LIFO, NettyDefaults.simple(true).reuseOrder());
    assertEquals(ReuseOrder.FIFO, NettyDefaults.simple(false).reuseOrder());
    assertEquals(ReuseOrder.FIFO, NettyDefaults.fixed(null, -1, 1, 1, false).reuseOrder());
  }

  @Test
  void aFailedConnectReachesANettyUserAsTheTransportsException() {
    ConnectException refused = new ConnectException("refused");
    assertSame(refused, NettyDefaults.unwrap(new CompletionException(
        new ConnectFailedException("p", Endpoint.of("app1", "127.0.0.29", 80), refused))));
    assertSame(refused, NettyDefaults.unwrap(refused));
    CompletionException bare = new CompletionException(null);
    assertSame(bare, NettyDefaults.unwrap(bare), "no cause to unwrap");
    IllegalStateException other = new IllegalStateException("x");
    assertSame(other, NettyDefaults.unwrap(new CompletionException(other)));
  }

  @Test
  void anEmptyCallbackIsOnlyAbstractChannelPoolHandlersOwn() {
    AbstractChannelPoolHandler quiet = new AbstractChannelPoolHandler() {
      @Override
      public void channelCreated(Channel ch) {}
    };
    AbstractChannelPoolHandler loud = new AbstractChannelPoolHandler() {
      @Override
      public void channelCreated(Channel ch) {}

      @Override
      public void channelAcquired(Channel ch) {}
    };
    assertTrue(NettyDefaults.isEmpty(quiet, "channelAcquired"));
    assertFalse(NettyDefaults.isEmpty(loud, "channelAcquired"));
    assertTrue(NettyDefaults.isEmpty(loud, "channelReleased"));
  }
}
