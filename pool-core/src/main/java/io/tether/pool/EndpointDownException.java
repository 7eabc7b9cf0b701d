package io.tether.pool;

/**
 * The connection's server was marked down (or put in maintenance) and the pool shut its sessions down,
 * as HAProxy's {@code on-marked-down shutdown-sessions}; or an acquire found no server up.
 *
 * @serial exclude
 */
public final class EndpointDownException extends PoolException {
  private static final long serialVersionUID = 1L;

  private final String endpointName;

  /**
   * The server {@code endpointName} went down for {@code reason}.
   *
   * @param poolName the name of the pool that raises it
   * @param endpointName the server's name
   * @param reason why, for logs
   */
  public EndpointDownException(String poolName, String endpointName, String reason) {
    super(
        poolName,
        (endpointName == null ? "no server is up" : "server " + endpointName + " is down")
            + (reason == null ? "" : ": " + reason),
        null);
    this.endpointName = endpointName;
  }

  /** {@return the server, or null when no server was up at all} */
  public String endpointName() {
    return endpointName;
  }
}
