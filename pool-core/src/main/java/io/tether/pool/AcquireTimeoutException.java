package io.tether.pool;

import java.time.Duration;

/**
 * An acquire waited {@link PoolConfig#acquireTimeout()} without getting a connection: every allowed
 * connection was leased or still connecting.
 */
public final class AcquireTimeoutException extends PoolException {
  private static final long serialVersionUID = 1L;

  private final String endpointName;
  private final int limit;
  private final Duration waited;

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

  /** The server the acquire was for, or null if any server would have done. */
  public String endpointName() {
    return endpointName;
  }

  /** The connection limit that was reached. */
  public int limit() {
    return limit;
  }

  /** How long the acquire waited. */
  public Duration waited() {
    return waited;
  }
}
