package io.tether.pool;

import java.io.IOException;
import java.time.Duration;

/**
 * No response arrived within the response timeout; the connection was closed as {@link
 * CloseCause#BROKEN}. This bounds the hang when a server dies silently behind a balancer that keeps the
 * client's session open.
 */
public final class ResponseTimeoutException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String endpointName;
  private final Duration timeout;

  public ResponseTimeoutException(String endpointName, Duration timeout) {
    super("no response from " + endpointName + " within " + DurationSyntax.format(timeout)
        + "; connection closed as broken");
    this.endpointName = endpointName;
    this.timeout = timeout;
  }

  /** The server that did not answer. */
  public String endpointName() {
    return endpointName;
  }

  /** The timeout that ran out. */
  public Duration timeout() {
    return timeout;
  }
}
