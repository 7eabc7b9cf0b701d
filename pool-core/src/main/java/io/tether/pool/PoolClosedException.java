package io.tether.pool;

/**
 * The pool is closed: an acquire after {@code close}, an acquire still waiting when it closed, or a
 * connection released after it closed (which is then closed). An {@link IllegalStateException}, as
 * Netty's pools report "ChannelPool was closed".
 *
 * @serial exclude
 */
public final class PoolClosedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final String poolName;

  /**
   * The pool is closed.
   *
   * @param poolName the pool's name
   */
  public PoolClosedException(String poolName) {
    super("pool " + poolName + ": closed");
    this.poolName = poolName;
  }

  /** {@return the pool's name} */
  public String poolName() {
    return poolName;
  }
}
