package io.tether.netty;

import java.io.IOException;
import java.security.cert.CertificateException;
import java.util.Locale;

/**
 * A TLS handshake with a server failed, so the connection never entered the pool. {@link #kind()} says
 * why: the handshake itself (timeout, protocol or cipher mismatch), the server's certificate (not
 * trusted, expired), or its host name (valid certificate, wrong name). Arrives as the cause of a {@link
 * io.tether.pool.ConnectFailedException}.
 *
 * @serial exclude
 */
public final class TlsException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What failed. */
  public enum Kind {
    /** The handshake did not complete: timed out, or no common protocol or cipher. */
    HANDSHAKE,
    /** The server's certificate is not trusted (unknown issuer, expired, revoked). */
    CERTIFICATE,
    /** The certificate is trusted but does not name the host connected to. */
    HOSTNAME
  }

  private final Kind kind;
  private final String endpointName;

  /**
   * A TLS failure of {@code kind} on the connection to {@code endpointName}.
   *
   * @param kind which step failed
   * @param endpointName the server's name
   * @param cause the handshake failure
   */
  public TlsException(Kind kind, String endpointName, Throwable cause) {
    super("TLS " + kind.name().toLowerCase(Locale.ROOT) + " failure with " + endpointName + ": "
        + (cause == null ? "unknown" : cause.getMessage()), cause);
    this.kind = kind;
    this.endpointName = endpointName;
  }

  /**
   * Classifies a handshake failure, of Netty 4's or Netty 3's {@code SslHandler} (this class needs
   * neither): a certificate naming another host, an untrusted certificate, else the handshake itself
   * (a timeout, no common protocol or cipher).
   *
   * @param endpointName the server's name
   * @param cause the handshake failure
    * @return the exception, of the kind the failure shows
   */
  public static TlsException of(String endpointName, Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (t instanceof CertificateException
          && (m.contains("no subject alternative") || m.contains("no name matching"))) {
        return new TlsException(Kind.HOSTNAME, endpointName, cause);
      }
    }
    for (Throwable t = cause; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (t instanceof CertificateException || t instanceof java.security.cert.CertPathValidatorException
          || m.contains("certification path") || m.contains("certificate_unknown") || m.contains("bad_certificate")
          || m.contains("certificate expired") || m.contains("unknown_ca")) {
        return new TlsException(Kind.CERTIFICATE, endpointName, cause);
      }
    }
    return new TlsException(Kind.HANDSHAKE, endpointName, cause);
  }

  /** {@return which step failed} */
  public Kind kind() {
    return kind;
  }

  /** {@return the server} */
  public String endpointName() {
    return endpointName;
  }
}
