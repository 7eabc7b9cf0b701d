package io.tether.pool;

import io.tether.pool.spi.Scheduler;
/**
 * Receives a pool's lifecycle events, for logging, tracing or tests. Every method has a no-op default;
 * override what you need.
 *
 * <p>Contract (as OkHttp's {@code EventListener}): methods are called synchronously on the thread that
 * caused the event: the acquiring or releasing thread, the transport's I/O thread for connects and peer
 * closes, the pool's {@link Scheduler} for evictions and health checks. They must be fast, take no
 * locks, never throw, and never call back into the pool. {@link #acquired} and {@link #released} run on
 * the hot path of every lease.
 */
public interface PoolListener {

  /** Does nothing; the default. */
  PoolListener NONE = new PoolListener() {};

  /**
   * A new connection to {@code endpoint} is being opened.
   *
   * @param endpoint the server
   */
  default void connectStarted(Endpoint endpoint) {}

  /**
   * A connection was opened and entered the pool.
   *
   * @param endpoint the server
   * @param connectNanos how long opening took, in nanoseconds
   */
  default void connected(Endpoint endpoint, long connectNanos) {}

  /**
   * Opening a connection failed.
   *
   * @param endpoint the server
   * @param cause why
   */
  default void connectFailed(Endpoint endpoint, Throwable cause) {}

  /**
   * A connection was leased.
   *
   * @param endpoint the server
   */
  default void acquired(Endpoint endpoint) {}

  /**
   * A leased connection was returned for reuse.
   *
   * @param endpoint the server
   */
  default void released(Endpoint endpoint) {}

  /**
   * A connection left the pool; {@code detail} is the error behind it, or null.
   *
   * @param endpoint the server
   * @param cause why
   * @param detail the error behind it, or null
   */
  default void closed(Endpoint endpoint, CloseCause cause, Throwable detail) {}

  /**
   * An acquire gave up after waiting; {@code endpoint} is null if any server would have done.
   *
   * @param endpoint the server
   * @param waitedNanos how long it waited, in nanoseconds
   */
  default void acquireTimedOut(Endpoint endpoint, long waitedNanos) {}

  /** An acquire was rejected at once because the waiting queue was full. */
  default void acquireRejected() {}

  /**
   * A lease has been held longer than {@link PoolConfig#leakDetectionThreshold()}: probably never
   * released. {@code acquiredAt}'s stack trace shows the code that acquired it. Reported once per
   * lease.
   *
   * @param endpoint the server
   * @param heldFor how long the lease has been held
   * @param acquiredAt carries the stack trace of the acquire
   */
  default void leakSuspected(Endpoint endpoint, java.time.Duration heldFor, Throwable acquiredAt) {}

  /**
   * A server changed state, after a health check, an observed error or a runtime call.
   *
   * @param endpoint the server
   * @param from the state before
   * @param to the state after
   * @param reason why, for logs
   */
  default void stateChanged(Endpoint endpoint, ServerState from, ServerState to, String reason) {}

  /**
   * A server joined the pool at runtime ({@link ConnectionPool#addServer}, {@link
   * ConnectionPool#updateServers}, a membership source); not called for the configured servers.
   *
   * @param endpoint the server
   */
  default void serverAdded(Endpoint endpoint) {}

  /**
   * A server removed at runtime has left the pool: its last connection closed, it is gone from stats.
   *
   * @param endpoint the server
   */
  default void serverRemoved(Endpoint endpoint) {}
}
