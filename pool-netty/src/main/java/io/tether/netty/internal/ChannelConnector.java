package io.tether.netty.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.pool.ChannelPoolHandler;
import io.netty.handler.ssl.SslHandler;
import io.tether.netty.Tls;
import io.tether.netty.TlsException;
import io.tether.pool.CloseCause;
import io.tether.pool.Endpoint;
import io.tether.pool.spi.ConnectionSignals;
import io.tether.pool.spi.Connector;
import io.tether.pool.spi.Ticker;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Opens channels from a copy of the application's {@link Bootstrap}, as Netty's own pools do: the
 * bootstrap's handler is replaced by one that installs {@link PooledChannelHandler} first and then calls
 * the application's {@link ChannelPoolHandler#channelCreated}. Any channel type and address the
 * bootstrap can connect: TCP (NIO, epoll, kqueue), Unix domain sockets, {@code LocalChannel}; an
 * unresolved address is resolved by the bootstrap's resolver on each connect.
 */
public final class ChannelConnector implements Connector<Channel> {
  static final String TLS_NAME = "tether-tls";

  private final Bootstrap template;
  private final ChannelPoolHandler handler;
  private final Ticker ticker;
  private final Duration responseTimeout;
  private final boolean requestResponse;
  private final String poolName;
  private final Tls tls;
  private final Object owner;
  private final Function<Bootstrap, ChannelFuture> connect;

  /**
   * @param owner the adapter, recorded on each channel so a release to another pool is refused
   * @param connect how a prepared bootstrap connects (a subclass's {@code connectChannel})
   */
  public ChannelConnector(Object owner, Bootstrap bootstrap, ChannelPoolHandler handler, Ticker ticker,
      Duration responseTimeout, boolean requestResponse, String poolName, Tls tls,
      Function<Bootstrap, ChannelFuture> connect) {
    this.owner = owner;
    this.poolName = poolName;
    this.tls = tls;
    this.template = bootstrap.clone();
    this.handler = handler;
    this.ticker = ticker;
    this.responseTimeout = responseTimeout;
    this.requestResponse = requestResponse;
    this.connect = connect;
  }

  @Override
  public CompletionStage<Channel> connect(Endpoint endpoint, Duration connectTimeout, ConnectionSignals signals) {
    CompletableFuture<Channel> result = new CompletableFuture<>();
    EventLoopGroup group = template.config().group();
    if (group != null && group.isShuttingDown()) {
      // A connect on a terminated group never notifies its listeners: fail it here.
      result.completeExceptionally(new RejectedExecutionException("event loop group is shutting down"));
      return result;
    }
    Bootstrap b = template.clone();
    if (!connectTimeout.isZero()) { // zero: the bootstrap's own CONNECT_TIMEOUT_MILLIS stands
      b.option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
          (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis())));
    }
    SocketAddress address = endpoint.socketAddress();
    if (!(address instanceof BootstrapAddress)) {
      b.remoteAddress(address);
    }
    b.handler(
        new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) throws Exception {
            PooledChannelHandler h = new PooledChannelHandler(owner, signals, ticker, responseTimeout, requestResponse);
            ch.attr(PooledChannelHandler.KEY).set(h);
            ch.pipeline().addFirst(PooledChannelHandler.NAME, h);
            if (tls != null) {
              // Outermost, so the pool handler sees application bytes, not TLS records.
              ch.pipeline().addFirst(TLS_NAME, sslHandler(tls, ch, endpoint));
            }
            handler.channelCreated(ch);
          }
        });
    ChannelFuture f;
    try {
      f = connect.apply(b);
    } catch (RuntimeException e) {
      result.completeExceptionally(e); // no group, no channel type, no remote address: Netty's own message
      return result;
    }
    f.addListener((ChannelFuture done) -> connected(done, endpoint, result));
    return result;
  }

  private void connected(ChannelFuture f, Endpoint endpoint, CompletableFuture<Channel> result) {
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
  }

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
  public CompletionStage<Void> close(Channel channel, CloseCause cause) {
    // FIN: no SO_LINGER 0, so never an RST from our side.
    PooledChannelHandler h = PooledChannelHandler.of(channel);
    if (h == null) {
      channel.close();
      return CompletableFuture.completedFuture(null);
    }
    if (cause == CloseCause.ENDPOINT_DOWN || cause == CloseCause.POOL_CLOSED) {
      h.poolClosing(channel, cause, poolName);
    } else {
      h.closing();
      channel.close();
    }
    // The handler's channelInactive completes it; a channel that never became active, or whose loop
    // shut down (which closed it), is done already.
    if (!channel.isOpen() && (!channel.isRegistered() || channel.eventLoop().isShuttingDown())) {
      return CompletableFuture.completedFuture(null);
    }
    if (channel.isRegistered() && channel.eventLoop().isShuttingDown()) {
      // The loop may end before the close runs on it: Netty 4.2 then leaves the channel open with its
      // close rejected, and channelInactive never comes. Once the loop has terminated nothing more can
      // happen to the channel, so that ends the wait. Only for a loop already going away: on a live one
      // each close would leave a listener on its termination future.
      channel.eventLoop().terminationFuture().addListener(f -> h.closed.complete(null));
    }
    return h.closed;
  }

  @Override
  public void leased(Channel channel) {
    PooledChannelHandler h = PooledChannelHandler.of(channel);
    if (h != null) {
      h.leased();
    }
  }

  @Override
  public boolean isAlive(Channel channel) {
    return PooledChannelHandler.usable(channel);
  }

  @Override
  public boolean tracksActivity() {
    return true;
  }

  @Override
  public boolean onTransportThread() {
    EventLoopGroup group = template.config().group();
    if (group == null) {
      return false;
    }
    for (io.netty.util.concurrent.EventExecutor e : group) {
      if (e.inEventLoop()) {
        return true;
      }
    }
    return false;
  }
}
