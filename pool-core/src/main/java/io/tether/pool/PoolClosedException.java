package io.tether.pool;

/** The pool was closed before or while the acquire waited. */
public final class PoolClosedException extends PoolException {
  private static final long serialVersionUID = 1L;

  public PoolClosedException(String poolName) {
    super(poolName, "closed", null);
  }
}
