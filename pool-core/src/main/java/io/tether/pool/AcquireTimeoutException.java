package io.tether.pool;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * An acquire waited {@code acquire-timeout} without getting a connection. A {@link TimeoutException},
 * as Netty's {@code FixedChannelPool} fails a timed-out acquire, so {@code catch (TimeoutException e)}
 * written for Netty's pool keeps working; the getters say how full the pool was.
 *
 * @serial exclude
 */
public final class AcquireTimeoutException extends TimeoutException {
  private static final long serialVersionUID = 1L;

  private final String poolName;
  private final String endpointName;
  private final int limit;
  private final Duration waited;

  /**
   * A timed-out acquire.
   *
   * @param poolName the pool's name
   * @param endpointName the server it waited for, or null for any
   * @param limit the connection limit that was full
   * @param waited how long it waited
   * @param open connections open or opening at the time
   * @param pending acquires still waiting
   */
  public AcquireTimeoutException(String poolName, String endpointName, int limit, Duration waited, int open,
      int pending) {
    super("pool " + poolName + ": no connection to " + (endpointName == null ? "any server" : endpointName)
        + " within " + DurationSyntax.format(waited) + " (limit " + limit + " connections, " + open + " open, "
        + pending + " acquires waiting)");
    this.poolName = poolName;
    this.endpointName = endpointName;
    this.limit = limit;
    this.waited = waited;
  }

  /** {@return the pool's name} */
  public String poolName() {
    return poolName;
  }

  /** {@return the server the acquire waited for, or null for any} */
  public String endpointName() {
    return endpointName;
  }

  /** {@return the connection limit that was full} */
  public int limit() {
    return limit;
  }

  /** {@return how long the acquire waited} */
  public Duration waited() {
    return waited;
  }
}
