package io.tether.netty3.internal;

import io.tether.pool.CloseCause;
import io.tether.pool.spi.ConnectionSignals;
import io.tether.pool.spi.Connector;
import io.tether.pool.Endpoint;
import io.tether.pool.spi.Ticker;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jboss.netty.bootstrap.ClientBootstrap;
import org.jboss.netty.channel.Channel;
import org.jboss.netty.channel.ChannelFuture;
import org.jboss.netty.channel.ChannelPipeline;
import org.jboss.netty.channel.ChannelPipelineFactory;
import org.jboss.netty.util.Timer;

/**
 * Opens Netty 3 channels with the application's {@link ClientBootstrap} settings: its channel factory,
 * options and pipeline factory, with {@link PooledChannelHandler} put first in every pipeline.
 */
public final class ChannelConnector implements Connector<Channel> {
  private final ClientBootstrap template;
  private final ChannelPipelineFactory pipelines;
  private final Ticker ticker;
  private final Duration responseTimeout;
  private final Timer timer;
  private final String poolName;
  private final Object owner;
  private final boolean requestResponse;
  private final io.tether.netty3.Tls tls;

  /**
   * A connector over the application's bootstrap; {@code tls} (may be null) makes every connection TLS,
   * entering the pool only once its handshake is over.
   */
  public ChannelConnector(Object owner, ClientBootstrap template, Ticker ticker, Duration responseTimeout,
      boolean requestResponse, Timer timer, String poolName, io.tether.netty3.Tls tls) {
    this.owner = owner;
    this.tls = tls;
    this.requestResponse = requestResponse;
    this.template = template;
    this.pipelines = template.getPipelineFactory();
    this.ticker = ticker;
    this.responseTimeout = responseTimeout;
    this.timer = timer;
    this.poolName = poolName;
  }

  @Override
  public CompletionStage<Channel> connect(Endpoint endpoint, Duration connectTimeout, ConnectionSignals signals) {
    ClientBootstrap b = new ClientBootstrap(template.getFactory());
    b.setOptions(template.getOptions());
    if (!connectTimeout.isZero()) { // zero: the bootstrap's own connectTimeoutMillis stands
      b.setOption("connectTimeoutMillis", (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis())));
    }
    b.setPipelineFactory(() -> {
      ChannelPipeline p = pipelines.getPipeline();
      p.addFirst(PooledChannelHandler.NAME, new PooledChannelHandler(owner, signals, ticker, responseTimeout,
          requestResponse, timer));
      if (tls != null) { // nearest the socket: everything above it sees plain bytes
        p.addFirst(Ssl.NAME, Ssl.handler(tls, endpoint, timer));
      }
      return p;
    });
    CompletableFuture<Channel> result = new CompletableFuture<>();
    ChannelFuture connecting;
    try {
      connecting = b.connect(resolved(endpoint.socketAddress()));
    } catch (RuntimeException e) { // a released channel factory, say
      result.completeExceptionally(e);
      return result;
    }
    connecting.addListener((ChannelFuture f) -> {
      if (f.isSuccess() && tls != null) {
        Ssl.handshake(f.getChannel(), endpoint, result); // only a connection that completed it is pooled
      } else if (f.isSuccess()) {
        result.complete(f.getChannel());
      } else {
        result.completeExceptionally(f.getCause());
      }
    });
    return result;
  }

  @Override
  public CompletionStage<Void> close(Channel channel, CloseCause cause) {
    PooledChannelHandler h = PooledChannelHandler.of(channel);
    if (h != null && (cause == CloseCause.ENDPOINT_DOWN || cause == CloseCause.POOL_CLOSED)) {
      h.poolClosing(channel, cause, poolName);
    } else {
      channel.close(); // FIN, never an RST from our side
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    // Netty 3 notifies a close future's listeners on the closing thread, with or without workers.
    channel.getCloseFuture().addListener(f -> done.complete(null));
    return done;
  }

  @Override
  public void leased(Channel channel) {
    PooledChannelHandler h = PooledChannelHandler.of(channel);
    if (h != null) {
      h.leased();
    }
  }

  @Override
  public boolean onTransportThread() {
    // Netty 3 marks its I/O threads here; ChannelFuture.await() uses it to refuse a dead lock.
    return org.jboss.netty.util.internal.DeadLockProofWorker.PARENT.get() != null;
  }

  @Override
  public boolean isAlive(Channel channel) {
    return channel.isConnected();
  }

  @Override
  public boolean tracksActivity() {
    return true;
  }

  /**
   * Netty 3 connects only to resolved addresses: an unresolved one is resolved here, on the calling
   * thread, as {@code new InetSocketAddress(host, port)} always did in Netty 3 code.
   */
  static java.net.SocketAddress resolved(java.net.SocketAddress a) {
    if (a instanceof InetSocketAddress i && i.isUnresolved()) {
      return new InetSocketAddress(i.getHostString(), i.getPort());
    }
    return a;
  }
}
