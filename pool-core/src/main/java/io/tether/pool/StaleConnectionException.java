package io.tether.pool;

import java.io.IOException;

/**
 * The peer closed or reset a pooled connection before any byte of the response arrived: the classic
 * race with a load balancer's idle timeout. Nothing was processed if {@link #requestFullyWritten()} is
 * false; otherwise the server may or may not have seen the request, so only idempotent requests are safe
 * to retry (Tether's HTTP client does so once, on a newly opened connection).
 *
 * @serial exclude
 */
public final class StaleConnectionException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String endpointName;
  private final boolean peerReset;
  private final boolean requestFullyWritten;

  /**
   * Raised by the adapters; applications only catch it.
   *
   * @param endpointName the server's name
   * @param peerReset true for an RST, false for a FIN
   * @param requestFullyWritten whether every request byte had reached the socket
   * @param cause why
   */
  public StaleConnectionException(
      String endpointName, boolean peerReset, boolean requestFullyWritten, Throwable cause) {
    super(
        "peer "
            + (peerReset ? "reset (RST)" : "closed (FIN)")
            + " the pooled connection to "
            + endpointName
            + " before any response byte arrived; the request was "
            + (requestFullyWritten ? "fully written" : "not fully written"),
        cause);
    this.endpointName = endpointName;
    this.peerReset = peerReset;
    this.requestFullyWritten = requestFullyWritten;
  }

  /** {@return the server the connection went to} */
  public String endpointName() {
    return endpointName;
  }

  /** {@return true for an RST ("Connection reset by peer"), false for a FIN} */
  public boolean peerReset() {
    return peerReset;
  }

  /** {@return whether every byte of the request had been handed to the socket before the close} */
  public boolean requestFullyWritten() {
    return requestFullyWritten;
  }
}
