package io.tether.pool;

/**
 * Base of every exception a pool raises; names the pool so logs of several pools stay readable.
 *
 * @serial exclude
 */
public class PoolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String poolName;

  /**
   * A failure of the pool {@code poolName}.
   *
   * @param poolName the name of the pool that raises it
   * @param message the message
   * @param cause why
   */
  public PoolException(String poolName, String message, Throwable cause) {
    super("pool " + poolName + ": " + message, cause);
    this.poolName = poolName;
  }

  /**
   * For failures raised in bulk (load shedding), where filling in a stack trace would cost the most.
   *
   * @param poolName the name of the pool that raises it
   * @param message the message
   * @param withStackTrace false for failures expected in normal operation, to skip the cost of a stack trace
   */
  protected PoolException(String poolName, String message, boolean withStackTrace) {
    super("pool " + poolName + ": " + message, null, false, withStackTrace);
    this.poolName = poolName;
  }

  /** {@return the {@link PoolConfig#name()} of the pool that raised it} */
  public String poolName() {
    return poolName;
  }
}
