package io.tether.netty3.internal;

import io.tether.pool.CloseCause;
import io.tether.pool.ConnectionSignals;
import io.tether.pool.Connector;
import io.tether.pool.Endpoint;
import io.tether.pool.Ticker;
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

  public ChannelConnector(ClientBootstrap template, Ticker ticker, Duration responseTimeout, Timer timer,
      String poolName) {
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
      p.addFirst(PooledChannelHandler.NAME, new PooledChannelHandler(signals, ticker, responseTimeout, timer));
      return p;
    });
    CompletableFuture<Channel> result = new CompletableFuture<>();
    b.connect(resolved(endpoint.socketAddress())).addListener((ChannelFuture f) -> {
      if (f.isSuccess()) {
        result.complete(f.getChannel());
      } else {
        result.completeExceptionally(f.getCause());
      }
    });
    return result;
  }

  @Override
  public void close(Channel channel, CloseCause cause) {
    PooledChannelHandler h = PooledChannelHandler.of(channel);
    if (h != null && (cause == CloseCause.ENDPOINT_DOWN || cause == CloseCause.POOL_CLOSED)) {
      h.poolClosing(channel, cause, poolName);
    } else {
      channel.close(); // FIN, never an RST from our side
    }
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
