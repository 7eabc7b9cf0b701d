package io.tether.pool.spi;

import java.io.IOException;
import java.util.Locale;

/**
 * Recognises the errors a peer causes by resetting or abandoning a connection, whatever the transport
 * (JDK NIO, Netty's epoll/kqueue natives, Netty 3): they are normal events behind a load balancer, to
 * be counted and closed quietly, not stack traces.
 */
public final class PeerErrors {
  private PeerErrors() {}

  /**
   * {@return whether {@code t} (or one of its first causes) is an RST from the peer: {@code ECONNRESET},
   * "Connection reset (by peer)"}
   *
   * @param t the exception the transport raised
   */
  public static boolean isReset(Throwable t) {
    return matches(t, "connection reset") || matches(t, "forcibly closed by the remote host");
  }

  /**
   * {@return whether {@code t} is a write to a connection the peer already closed: {@code EPIPE}, "Broken
   * pipe"}
   *
   * @param t the exception the transport raised
   */
  public static boolean isBrokenPipe(Throwable t) {
    return matches(t, "broken pipe");
  }

  /**
   * {@return whether {@code t} is a reset or a broken pipe}
   *
   * @param t the exception the transport raised
   */
  public static boolean isPeerAbort(Throwable t) {
    return isReset(t) || isBrokenPipe(t);
  }

  private static boolean matches(Throwable t, String fragment) {
    for (int depth = 0; t != null && depth < 4; depth++, t = t.getCause()) {
      if (t instanceof IOException) {
        String m = t.getMessage();
        if (m != null && m.toLowerCase(Locale.ROOT).contains(fragment)) {
          return true;
        }
      }
    }
    return false;
  }
}
