package io.tether.pool;

import java.time.Duration;

/**
 * An acquire waited {@link PoolConfig#acquireTimeout()} without getting a connection: every allowed
 * connection was leased or still connecting.
 *
 * @serial exclude
 */
public final class AcquireTimeoutException extends PoolException {
  private static final long serialVersionUID = 1L;

  private final String endpointName;
  private final int limit;
  private final Duration waited;

  /**
   * Raised by the pool; applications only catch it.
   *
   * @param poolName the name of the pool that raises it
   * @param endpointName the server's name
   * @param limit the connection limit that was reached
   * @param waited how long the acquire waited
   * @param leased connections leased when it gave up, for the message
   * @param pending acquires waiting when it gave up, for the message
   */
  public AcquireTimeoutException(
      String poolName, String endpointName, int limit, Duration waited, int leased, int pending) {
    super(
        poolName,
        "no connection to "
            + (endpointName == null ? "any server" : endpointName)
            + " within "
            + DurationSyntax.format(waited)
            + " (limit "
            + limit
            + " connections, "
            + leased
            + " leased, "
            + pending
            + " acquires waiting)",
        null);
    this.endpointName = endpointName;
    this.limit = limit;
    this.waited = waited;
  }

  /** {@return the server the acquire was for, or null if any server would have done} */
  public String endpointName() {
    return endpointName;
  }

  /** {@return the connection limit that was reached} */
  public int limit() {
    return limit;
  }

  /** {@return how long the acquire waited} */
  public Duration waited() {
    return waited;
  }
}
