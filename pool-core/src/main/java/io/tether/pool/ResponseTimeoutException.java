package io.tether.pool;

import java.io.IOException;
import java.time.Duration;

/**
 * No response arrived within the response timeout; the connection was closed as {@link
 * CloseCause#BROKEN}. This bounds the hang when a server dies silently behind a balancer that keeps the
 * client's session open.
 *
 * @serial exclude
 */
public final class ResponseTimeoutException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String endpointName;
  private final Duration timeout;

  /**
   * No response from {@code endpointName} within {@code timeout}.
   *
   * @param endpointName the server's name
   * @param timeout the handshake timeout
   */
  public ResponseTimeoutException(String endpointName, Duration timeout) {
    super("no response from " + endpointName + " within " + DurationSyntax.format(timeout)
        + "; connection closed as broken");
    this.endpointName = endpointName;
    this.timeout = timeout;
  }

  /** {@return the server that did not answer} */
  public String endpointName() {
    return endpointName;
  }

  /** {@return the timeout that ran out} */
  public Duration timeout() {
    return timeout;
  }
}
