package io.tether.pool;

import java.time.Duration;

/**
 * Exclusive use of one pooled connection, from acquire until {@link #release()} or {@link
 * #invalidate}. A lease is owned by one user at a time; use it from any thread, but do not touch it after
 * releasing it: the pool recycles lease objects so that an acquire does not allocate.
 *
 * @param <C> the transport's connection type
 */
public interface Lease<C> {

  /** {@return the connection; valid until the lease is released} */
  C connection();

  /** {@return the server the connection goes to} */
  Endpoint endpoint();

  /**
   * Returns the connection to the pool for reuse, or closes it if it can no longer be used (its server
   * is draining or down, its lifetime expired, the peer closed it, the pool is closing). Calling it
   * again, or after the pool closed the connection, does nothing.
   */
  void release();

  /**
   * Closes the connection instead of returning it, with {@code cause} reported to listeners and
   * metrics; {@code detail} may be null. Use {@link CloseCause#BROKEN} for a protocol error or timeout.
   *
   * @param cause why the connection is closed
   * @param detail the error behind it, or null
   */
  void invalidate(CloseCause cause, Throwable detail);

  /**
   * Same as {@code invalidate(CloseCause.BROKEN, detail)}.
   *
   * @param detail the error behind it, or null
   */
  default void releaseBroken(Throwable detail) {
    invalidate(CloseCause.BROKEN, detail);
  }

  /**
   * Caps this connection's idle time below the configured one, for example when the server answered
   * {@code Keep-Alive: timeout=5}: the connection will be evicted that long, minus the hand-out
   * margin, after its last activity. A value larger than the configured idle time has no effect.
   *
   * @param idleTimeout the peer's announced idle timeout, e.g. from {@code Keep-Alive: timeout=N}
   */
  void capIdleTime(Duration idleTimeout);
}
