package io.tether.pool;

/**
 * An acquire was rejected at once because {@link PoolConfig#maxPendingAcquires()} acquires were already
 * waiting. Nothing was queued; retrying later, or shedding load, is the caller's choice. It carries no
 * stack trace: under overload it is raised thousands of times a second, and capturing a stack each time
 * would make shedding load the slowest thing the pool does.
 *
 * @serial exclude
 */
public final class PendingAcquireLimitException extends PoolException {
  private static final long serialVersionUID = 1L;

  private final int maxPending;

  /**
   * Raised by the pool; applications only catch it.
   *
   * @param poolName the name of the pool that raises it
   * @param maxPending the waiting-queue bound
   * @param limit the connection limit, all in use
   */
  public PendingAcquireLimitException(String poolName, int maxPending, int limit) {
    super(
        poolName,
        "rejected: "
            + maxPending
            + " acquires already waiting (tether.pool.max-pending-acquires) and all "
            + limit
            + " connections in use",
        false);
    this.maxPending = maxPending;
  }

  /** {@return the waiting-queue bound that was reached} */
  public int maxPending() {
    return maxPending;
  }
}
