package io.tether.pool;

/**
 * The pool was closed before or while the acquire waited.
 *
 * @serial exclude
 */
public final class PoolClosedException extends PoolException {
  private static final long serialVersionUID = 1L;

  /**
   * The pool {@code poolName} is closed.
   *
   * @param poolName the name of the pool that raises it
   */
  public PoolClosedException(String poolName) {
    super(poolName, "closed", null);
  }
}
