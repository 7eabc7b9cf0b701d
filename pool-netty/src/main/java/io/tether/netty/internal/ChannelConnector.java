package io.tether.netty.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.pool.ChannelPoolHandler;
import io.netty.handler.ssl.SslHandler;
import io.tether.netty.Tls;
import io.tether.netty.TlsException;
import io.tether.pool.CloseCause;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import io.tether.pool.ConnectionSignals;
import io.tether.pool.Connector;
import io.tether.pool.Endpoint;
import io.tether.pool.Ticker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Opens channels from a copy of the application's {@link Bootstrap}, as Netty's own pools do: the
 * bootstrap's handler is replaced by one that installs {@link PooledChannelHandler} first and then calls
 * the application's {@link ChannelPoolHandler#channelCreated}.
 */
public final class ChannelConnector implements Connector<Channel> {
  private final Bootstrap template;
  private final ChannelPoolHandler handler;
  private final Ticker ticker;
  private final Duration responseTimeout;
  private final String poolName;
  private final Tls tls;

  public ChannelConnector(Bootstrap bootstrap, ChannelPoolHandler handler, Ticker ticker, Duration responseTimeout,
      String poolName, Tls tls) {
    this.poolName = poolName;
    this.tls = tls;
    this.template = bootstrap.clone();
    this.handler = handler;
    this.ticker = ticker;
    this.responseTimeout = responseTimeout;
  }

  @Override
  public CompletionStage<Channel> connect(Endpoint endpoint, Duration connectTimeout, ConnectionSignals signals) {
    Bootstrap b = template.clone();
    if (!connectTimeout.isZero()) { // zero: the bootstrap's own CONNECT_TIMEOUT_MILLIS stands
      b.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis())));
    }
    b.handler(
        new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) throws Exception {
            PooledChannelHandler h = new PooledChannelHandler(signals, ticker, responseTimeout);
            ch.attr(PooledChannelHandler.KEY).set(h);
            ch.pipeline().addFirst(PooledChannelHandler.NAME, h);
            if (tls != null) {
              // Outermost, so the pool handler sees application bytes, not TLS records.
              ch.pipeline().addFirst(TLS_NAME, sslHandler(tls, ch, endpoint));
            }
            handler.channelCreated(ch);
          }
        });
    CompletableFuture<Channel> result = new CompletableFuture<>();
    b.connect(endpoint.socketAddress())
        .addListener(
            (ChannelFuture f) -> {
              if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
              } else if (tls == null) {
                result.complete(f.channel());
              } else {
                // Only a connection that completed its handshake enters the pool.
                SslHandler ssl = (SslHandler) f.channel().pipeline().get(TLS_NAME);
                ssl.handshakeFuture().addListener(h -> {
                  if (h.isSuccess()) {
                    result.complete(f.channel());
                  } else {
                    f.channel().close();
                    result.completeExceptionally(TlsException.of(endpoint.name(), h.cause()));
                  }
                });
              }
            });
    return result;
  }

  static final String TLS_NAME = "tether-tls";

  /** A client handler for {@code endpoint}: SNI and host name checks against its host. */
  static SslHandler sslHandler(Tls tls, Channel ch, Endpoint endpoint) {
    SslHandler h = tls.context().newHandler(ch.alloc(), endpoint.host(), endpoint.port());
    // Set either way: Netty 4.2 client contexts verify host names by default, 4.1 ones do not. Off is
    // "", not null: the JDK keeps its current algorithm when given null.
    SSLEngine engine = h.engine();
    SSLParameters p = engine.getSSLParameters();
    p.setEndpointIdentificationAlgorithm(tls.verifyHostname() ? "HTTPS" : "");
    engine.setSSLParameters(p);
    h.setHandshakeTimeoutMillis(Math.max(1, tls.handshakeTimeout().toMillis()));
    return h;
  }

  @Override
  public void close(Channel channel, CloseCause cause) {
    // FIN: no SO_LINGER 0, so never an RST from our side.
    PooledChannelHandler h = channel.attr(PooledChannelHandler.KEY).get();
    if (h != null && (cause == CloseCause.ENDPOINT_DOWN || cause == CloseCause.POOL_CLOSED)) {
      h.poolClosing(channel, cause, poolName);
    } else {
      channel.close();
    }
  }

  @Override
  public boolean isAlive(Channel channel) {
    return channel.isActive();
  }

  @Override
  public boolean tracksActivity() {
    return true;
  }
}
