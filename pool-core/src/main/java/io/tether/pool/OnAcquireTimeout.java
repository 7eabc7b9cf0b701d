package io.tether.pool;

/**
 * What an acquire that waited {@code acquire-timeout} does (key {@code on-acquire-timeout}); Netty's
 * {@code FixedChannelPool.AcquireTimeoutAction}.
 */
public enum OnAcquireTimeout {
  /** Fail with {@link AcquireTimeoutException} (a {@link java.util.concurrent.TimeoutException}). The default. */
  FAIL,
  /**
   * Open one more connection for it even though the pool is at {@code max-connections}, as Netty's
   * {@code AcquireTimeoutAction.NEW}: the pool may then hold more than its limit until connections close.
   */
  CONNECT
}
