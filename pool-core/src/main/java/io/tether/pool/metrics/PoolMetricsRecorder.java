package io.tether.pool.metrics;

import io.tether.pool.CloseCause;
import io.tether.pool.Endpoint;
import io.tether.pool.PoolStats;
import io.tether.pool.ServerState;
import java.util.function.Supplier;

/**
 * Where a pool reports what it measures. Every method is a no-op by default, so a pool without metrics
 * pays nothing but the call; {@code io.tether.pool.metrics.micrometer} binds it to Micrometer. Gauges
 * (connections by state, limits) are not pushed here: a binder pulls them from {@code
 * ConnectionPool.stats()}.
 *
 * <p>Times are in nanoseconds, as the method names say. Methods are called on the thread of the event
 * (see {@link io.tether.pool.PoolListener}); they must be thread-safe, fast, and never throw.
 */
public interface PoolMetricsRecorder {

  /** Records nothing. */
  PoolMetricsRecorder NOOP = new PoolMetricsRecorder() {};

  /**
   * A connect finished, successfully or not, after {@code nanos}.
   *
   * @param endpoint the server
   * @param nanos how long it took, in nanoseconds
   * @param success whether it succeeded
   */
  default void recordConnect(Endpoint endpoint, long nanos, boolean success) {}

  /**
   * A lease was handed out after waiting {@code waitNanos} (0 when an idle connection was ready) to a
   * connection that had been idle {@code idleNanos} (-1 for a brand-new connection). Called on every
   * lease when {@link #wantsIdleAges()} is true, never when it is false.
   *
   * @param endpoint the server
   * @param waitNanos how long the acquire waited, in nanoseconds
   * @param idleNanos how long the connection had been idle, in nanoseconds; -1 for a new connection
   */
  default void recordAcquire(Endpoint endpoint, long waitNanos, long idleNanos) {}

  /**
   * An acquire timed out after {@code waitNanos}; {@code endpoint} is null for any server.
   *
   * @param endpoint the server
   * @param waitNanos how long the acquire waited, in nanoseconds
   */
  default void recordAcquireTimeout(Endpoint endpoint, long waitNanos) {}

  /** An acquire was rejected because the waiting queue was full. */
  default void recordAcquireRejected() {}

  /**
   * The pool {@code pool} was built and reports its gauges through {@code stats}; called once, from
   * its constructor, before any other method.
   *
   * @param pool the pool's name
   * @param stats reads the pool's current counts; may be called from any thread
   */
  default void poolStarted(String pool, Supplier<PoolStats> stats) {}

  /** The pool closed: nothing more will be recorded; remove any registered meters. */
  default void poolClosed() {}

  /**
   * A server joined the pool (at start, or at run time): per-server meters may be created. Called before
   * any other event of that server, on the thread that added it.
   *
   * @param endpoint the server
   */
  default void serverAdded(Endpoint endpoint) {}

  /**
   * A server left the pool (its last connection closed after it was removed): its per-server meters may go.
   *
   * @param endpoint the server
   */
  default void serverRemoved(Endpoint endpoint) {}

  /**
   * A connection was closed for {@code cause} at age {@code ageNanos} since it was opened; {@code
   * wasLeased} says whether a user held it at the time (an in-flight reset, or a shutdown under a user).
   *
   * @param endpoint the server
   * @param cause why
   * @param ageNanos the connection's age, in nanoseconds
   * @param wasLeased whether it was leased when it closed
   */
  default void recordClose(Endpoint endpoint, CloseCause cause, long ageNanos, boolean wasLeased) {}

  /**
   * A request was retried on a new connection after its connection failed on {@code endpoint};
   * {@code reason} is one of stale, reset, timeout, endpoint-down.
   *
   * @param endpoint the server
   * @param reason why, for logs
   */
  default void recordRetry(Endpoint endpoint, String reason) {}

  /**
   * A failed request qualified for a retry after its connection failed on {@code endpoint}, and the
   * retry budget refused it.
   *
   * @param endpoint the server
   */
  default void recordRetryRefused(Endpoint endpoint) {}

  /**
   * A server moved from one state to another.
   *
   * @param endpoint the server
   * @param from the state before
   * @param to the state after
   */
  default void recordStateChange(Endpoint endpoint, ServerState from, ServerState to) {}

  /**
   * A lease was held longer than the leak detection threshold.
   *
   * @param endpoint the server
   */
  default void recordLeakSuspected(Endpoint endpoint) {}

  /**
   * {@return whether to call {@link #recordAcquire} on each lease; false spares the lease path that
   * call and its idle-age arithmetic}
   */
  default boolean wantsIdleAges() {
    return this != NOOP;
  }
}
