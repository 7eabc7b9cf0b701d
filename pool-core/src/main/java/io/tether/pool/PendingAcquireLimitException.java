package io.tether.pool;

/**
 * An acquire was rejected at once because {@code max-pending-acquires} acquires were already waiting
 * and every connection was in use. An {@link IllegalStateException}, as Netty's {@code FixedChannelPool}
 * reports "Too many outstanding acquire operations". Without a stack trace: it is load shedding, not a
 * bug, and may be thrown thousands of times a second.
 *
 * @serial exclude
 */
public final class PendingAcquireLimitException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final String poolName;
  private final int maxPending;

  /**
   * A rejected acquire.
   *
   * @param poolName the pool's name
   * @param maxPending the bound on waiting acquires
   * @param limit the connection limit, all in use
   */
  public PendingAcquireLimitException(String poolName, int maxPending, int limit) {
    super("pool " + poolName + ": rejected: " + maxPending + " acquires already waiting "
        + "(tether.pool.max-pending-acquires) and all " + limit + " connections in use");
    this.poolName = poolName;
    this.maxPending = maxPending;
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }

  /** {@return the pool's name} */
  public String poolName() {
    return poolName;
  }

  /** {@return the bound on waiting acquires} */
  public int maxPending() {
    return maxPending;
  }
}
