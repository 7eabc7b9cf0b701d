package io.tether.pool;

/** Opening a connection for an acquire failed; the cause is the transport's error. */
public final class ConnectFailedException extends PoolException {
  private static final long serialVersionUID = 1L;

  private final Endpoint endpoint;

  public ConnectFailedException(String poolName, Endpoint endpoint, Throwable cause) {
    super(
        poolName,
        "connect to " + endpoint + " failed: " + (cause == null ? "unknown error" : cause),
        cause);
    this.endpoint = endpoint;
  }

  /** The server that could not be reached. */
  public Endpoint endpoint() {
    return endpoint;
  }
}
