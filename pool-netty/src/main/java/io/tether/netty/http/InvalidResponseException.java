package io.tether.netty.http;

import java.io.IOException;

/**
 * The server's response could not be used: malformed bytes, a header or body over the size bound, or a
 * response that ended early. The connection was closed as broken and the request is not retried.
 *
 * @serial exclude
 */
public final class InvalidResponseException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What was wrong. */
  public enum Kind {
    /** Bytes that are not HTTP/1.1. */
    MALFORMED,
    /** A status line or header over the decoder's limits. */
    HEADER_TOO_LARGE,
    /** A body over {@code maxResponseBytes}. */
    BODY_TOO_LARGE,
    /** The connection closed after the response started and before it ended. */
    TRUNCATED,
    /**
     * A {@code 101 Switching Protocols} the request did not ask for (it carried no {@code Upgrade}): the
     * connection no longer speaks HTTP/1.1.
     */
    UNEXPECTED_UPGRADE
  }

  private final Kind kind;
  private final String endpointName;

  /**
   * A response of {@code kind} from {@code endpointName}.
   *
   * @param kind what was wrong
   * @param endpointName the server's name
   * @param detail what was seen, for the message
   * @param cause the codec's error, or null
   */
  public InvalidResponseException(Kind kind, String endpointName, String detail, Throwable cause) {
    super(kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " response from "
        + endpointName + (detail == null ? "" : ": " + detail), cause);
    this.kind = kind;
    this.endpointName = endpointName;
  }

  /** {@return what was wrong} */
  public Kind kind() {
    return kind;
  }

  /** {@return the server that sent it} */
  public String endpointName() {
    return endpointName;
  }
}
