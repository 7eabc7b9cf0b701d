package io.tether.pool;

/**
 * Opening a connection for an acquire failed; the cause is the transport's error.
 *
 * @serial exclude
 */
public final class ConnectFailedException extends PoolException {
  private static final long serialVersionUID = 1L;

  private final Endpoint endpoint;

  /**
   * Opening a connection to {@code endpoint} failed with {@code cause}.
   *
   * @param poolName the name of the pool that raises it
   * @param endpoint the server
   * @param cause why
   */
  public ConnectFailedException(String poolName, Endpoint endpoint, Throwable cause) {
    super(
        poolName,
        "connect to " + endpoint + " failed: " + (cause == null ? "unknown error" : cause),
        cause);
    this.endpoint = endpoint;
  }

  /** {@return the server that could not be reached} */
  public Endpoint endpoint() {
    return endpoint;
  }
}
