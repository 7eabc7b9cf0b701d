package io.tether.netty.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelPoolHandler;
import io.netty.channel.pool.FixedChannelPool.AcquireTimeoutAction;
import io.tether.pool.ConnectFailedException;
import io.tether.pool.Endpoint;
import io.tether.pool.IdleInput;
import io.tether.pool.OnAcquireTimeout;
import io.tether.pool.PoolConfig;
import io.tether.pool.ReuseOrder;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionException;

/**
 * What a {@code TetherChannelPool} built with Netty's constructors is configured to: Netty's own
 * defaults and semantics, plus idle eviction.
 */
public final class NettyDefaults {
  private NettyDefaults() {}

  /** {@code SimpleChannelPool}: no limit, no waiting, no timeout. */
  public static PoolConfig simple(boolean lastRecentUsed) {
    return common(lastRecentUsed).maxConnections(Integer.MAX_VALUE).build();
  }

  /** {@code FixedChannelPool}, with its argument checks and messages. */
  public static PoolConfig fixed(AcquireTimeoutAction action, long acquireTimeoutMillis,
      int maxConnections, int maxPendingAcquires, boolean lastRecentUsed) {
    if (maxConnections <= 0) {
      throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: > 0)");
    }
    if (maxPendingAcquires <= 0) {
      throw new IllegalArgumentException("maxPendingAcquires: " + maxPendingAcquires + " (expected: > 0)");
    }
    PoolConfig.Builder b = common(lastRecentUsed).maxConnections(maxConnections)
        .maxPendingAcquires(maxPendingAcquires);
    if (action == null && acquireTimeoutMillis == -1) {
      b.acquireTimeout(PoolConfig.NO_LIMIT);
    } else if (action == null) {
      throw new NullPointerException("action");
    } else if (acquireTimeoutMillis < 0) {
      throw new IllegalArgumentException("acquireTimeoutMillis: " + acquireTimeoutMillis + " (expected: >= 0)");
    } else {
      // Beyond the config's 24 days a timer never fires in practice: Netty's own bound is Long.MAX_VALUE.
      b.acquireTimeout(acquireTimeoutMillis > Duration.ofDays(24).toMillis() ? PoolConfig.NO_LIMIT
          : Duration.ofMillis(acquireTimeoutMillis));
      b.onAcquireTimeout(action == AcquireTimeoutAction.NEW ? OnAcquireTimeout.CONNECT : OnAcquireTimeout.FAIL);
    }
    return b.build();
  }

  private static PoolConfig.Builder common(boolean lastRecentUsed) {
    return PoolConfig.builder()
        .maxPendingAcquires(Integer.MAX_VALUE)
        .acquireTimeout(PoolConfig.NO_LIMIT)
        .acquireTimeoutIncludesConnect(false)
        .connectTimeout(Duration.ZERO) // the bootstrap's CONNECT_TIMEOUT_MILLIS
        .retries(0)
        .reuseOrder(lastRecentUsed ? ReuseOrder.LIFO : ReuseOrder.FIFO)
        .idleInput(IdleInput.PASS)
        .closeTimeout(PoolConfig.NO_LIMIT);
  }

  /** {@code config}, with the bootstrap's remote address as its one server if it names none. */
  public static PoolConfig withServer(PoolConfig config, Bootstrap bootstrap) {
    if (!config.servers().isEmpty()) {
      return config;
    }
    SocketAddress remote = bootstrap.config().remoteAddress();
    SocketAddress address = remote == null ? BootstrapAddress.INSTANCE : remote;
    return config.toBuilder().server(Endpoint.of(address)).build();
  }

  /** Whether {@code type} overrides {@code base}'s method {@code name}. */
  public static boolean overrides(Class<?> type, Class<?> base, String name, Class<?>... params) {
    for (Class<?> c = type; c != null && c != base; c = c.getSuperclass()) {
      try {
        c.getDeclaredMethod(name, params);
        return true;
      } catch (NoSuchMethodException e) {
        // look further up
      }
    }
    return false;
  }

  /** Whether {@code handler}'s callback {@code name} is {@link AbstractChannelPoolHandler}'s empty one. */
  public static boolean isEmpty(ChannelPoolHandler handler, String name) {
    return handler instanceof AbstractChannelPoolHandler
        && !overrides(handler.getClass(), AbstractChannelPoolHandler.class, name, io.netty.channel.Channel.class);
  }

  /** The failure a Netty user expects: the transport's own exception for a failed connect. */
  public static Throwable unwrap(Throwable error) {
    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof ConnectFailedException && e.getCause() != null) {
      return e.getCause();
    }
    return e;
  }
}
