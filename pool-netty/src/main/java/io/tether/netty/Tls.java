package io.tether.netty;

import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.Objects;

/**
 * TLS for pooled connections: your client {@link SslContext}, host name verification (on unless turned
 * off here, explicitly), and a handshake timeout. A connection whose handshake fails never enters the
 * pool; the acquire fails with a {@link TlsException} as the cause.
 *
 * <pre>{@code
 * Tls tls = Tls.of(SslContextBuilder.forClient().trustManager(caFile).build());   // verifies host names
 * }</pre>
 *
 * @param context a client context
 * @param verifyHostname whether the certificate must name the host connected to (HTTPS rules)
 * @param handshakeTimeout how long the handshake may take
 */
public record Tls(SslContext context, boolean verifyHostname, Duration handshakeTimeout) {

  /**
   * Validates the components; prefer {@link #of}.
   *
   * @param context a client context
   * @param verifyHostname whether the certificate must name the host connected to (HTTPS rules)
   * @param handshakeTimeout how long the handshake may take
   */
  public Tls {
    Objects.requireNonNull(context, "context");
    if (!context.isClient()) {
      throw new IllegalArgumentException("a client SslContext is needed (SslContextBuilder.forClient())");
    }
    if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
      throw new IllegalArgumentException("handshakeTimeout must be positive: " + handshakeTimeout);
    }
  }

  /**
   * {@return TLS with host name verification and a 10s handshake timeout}
   *
   * @param context the client {@code SslContext}
   */
  public static Tls of(SslContext context) {
    return new Tls(context, true, Duration.ofSeconds(10));
  }

  /**
   * {@return the same, with another handshake timeout}
   *
   * @param timeout the handshake timeout
   */
  public Tls withHandshakeTimeout(Duration timeout) {
    return new Tls(context, verifyHostname, timeout);
  }

  /**
   * The same without host name verification: any certificate the trust manager accepts is accepted,
   * whatever host it names. Only for environments where names cannot match (and say why in your code).
   *
   * @return the same settings without host name verification
   */
  public Tls withoutHostnameVerification() {
    return new Tls(context, false, handshakeTimeout);
  }
}
