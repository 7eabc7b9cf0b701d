package io.tether.netty3;

import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * TLS for a Netty 3 pool's connections, as {@code io.tether.netty.Tls} is for Netty 4: your client
 * {@link SSLContext} (its trust managers decide which certificates are trusted), host name verification
 * (on unless turned off here, explicitly), and a handshake timeout. A connection whose handshake fails
 * never enters the pool; the acquire fails with a {@link io.tether.netty.TlsException} (kind {@code
 * HANDSHAKE}, {@code CERTIFICATE} or {@code HOSTNAME}) as the cause. Health checks with {@code
 * tether.pool.check.ssl} use the same settings.
 *
 * <pre>{@code
 * Tls tls = Tls.of(sslContext);   // verifies host names, 10s handshake timeout
 * }</pre>
 *
 * @param context a JDK client context, initialized
 * @param verifyHostname whether the certificate must name the host connected to (HTTPS rules)
 * @param handshakeTimeout how long the handshake may take
 */
public record Tls(SSLContext context, boolean verifyHostname, Duration handshakeTimeout) {

  /**
   * Validates the components; prefer {@link #of}.
   *
   * @param context a JDK client context, initialized
   * @param verifyHostname whether the certificate must name the host connected to (HTTPS rules)
   * @param handshakeTimeout how long the handshake may take; above 0
   */
  public Tls {
    Objects.requireNonNull(context, "context");
    if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
      throw new IllegalArgumentException("handshakeTimeout " + handshakeTimeout + " (expected: above 0)");
    }
  }

  /**
   * {@return TLS with host name verification and a 10s handshake timeout}
   *
   * @param context the client {@code SSLContext}
   */
  public static Tls of(SSLContext context) {
    return new Tls(context, true, Duration.ofSeconds(10));
  }

  /**
   * {@return the same, with another handshake timeout}
   *
   * @param timeout the handshake timeout; above 0
   */
  public Tls withHandshakeTimeout(Duration timeout) {
    return new Tls(context, verifyHostname, timeout);
  }

  /**
   * {@return the same without host name verification} Any certificate the trust managers accept is
   * accepted, whatever host it names: only for environments where names cannot match.
   */
  public Tls withoutHostnameVerification() {
    return new Tls(context, false, handshakeTimeout);
  }
}
