package io.tether.netty3.internal;

import io.tether.netty.TlsException;
import io.tether.netty3.Tls;
import io.tether.pool.Endpoint;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.jboss.netty.channel.Channel;
import org.jboss.netty.channel.ChannelFuture;
import org.jboss.netty.handler.ssl.SslHandler;
import org.jboss.netty.util.Timer;

/** Netty 3's {@link SslHandler} set up from a pool's {@link Tls}, for its connections and its checks. */
final class Ssl {
  static final String NAME = "tether-tls";

  private Ssl() {}

  /** A client handler for {@code endpoint}: SNI and (when asked) HTTPS host name rules for its host. */
  static SslHandler handler(Tls tls, Endpoint endpoint, Timer timer) {
    SSLEngine engine = tls.context().createSSLEngine(endpoint.host(), endpoint.port());
    engine.setUseClientMode(true);
    SSLParameters p = engine.getSSLParameters();
    // Netty 3's SslHandler predates TLS 1.3 and corrupts its records ("Tag mismatch" once the handshake
    // is under way, measured against HAProxy 2.6): it speaks TLS 1.2, the newest it handles.
    p.setProtocols(java.util.Arrays.stream(p.getProtocols()).filter(v -> !v.equals("TLSv1.3"))
        .toArray(String[]::new));
    // Off is "", as in the Netty 4 adapter: some JDK engines keep their current algorithm when given null.
    p.setEndpointIdentificationAlgorithm(tls.verifyHostname() ? "HTTPS" : "");
    engine.setSSLParameters(p);
    return new SslHandler(engine, SslHandler.getDefaultBufferPool(), false, timer,
        Math.max(1, tls.handshakeTimeout().toMillis()));
  }

  /**
   * Starts the handshake of a connected channel; {@code done} completes with the channel once it is
   * over, or fails with a {@link TlsException} (the channel then closed).
   */
  static void handshake(Channel ch, Endpoint endpoint, CompletableFuture<Channel> done) {
    SslHandler ssl = (SslHandler) ch.getPipeline().get(NAME);
    ssl.handshake().addListener((ChannelFuture h) -> {
      if (h.isSuccess()) {
        done.complete(ch);
      } else {
        ch.close();
        done.completeExceptionally(TlsException.of(endpoint.name(), h.getCause()));
      }
    });
  }
}
