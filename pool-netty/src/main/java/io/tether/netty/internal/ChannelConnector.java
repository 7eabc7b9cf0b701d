package io.tether.netty.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.pool.ChannelPoolHandler;
import io.tether.pool.CloseCause;
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

  public ChannelConnector(Bootstrap bootstrap, ChannelPoolHandler handler, Ticker ticker, Duration responseTimeout,
      String poolName) {
    this.poolName = poolName;
    this.template = bootstrap.clone();
    this.handler = handler;
    this.ticker = ticker;
    this.responseTimeout = responseTimeout;
  }

  @Override
  public CompletionStage<Channel> connect(Endpoint endpoint, Duration connectTimeout, ConnectionSignals signals) {
    Bootstrap b = template.clone();
    b.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis())));
    b.handler(
        new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) throws Exception {
            PooledChannelHandler h = new PooledChannelHandler(signals, ticker, responseTimeout);
            ch.attr(PooledChannelHandler.KEY).set(h);
            ch.pipeline().addFirst(PooledChannelHandler.NAME, h);
            handler.channelCreated(ch);
          }
        });
    CompletableFuture<Channel> result = new CompletableFuture<>();
    b.connect(endpoint.host(), endpoint.port())
        .addListener(
            (ChannelFuture f) -> {
              if (f.isSuccess()) {
                result.complete(f.channel());
              } else {
                result.completeExceptionally(f.cause());
              }
            });
    return result;
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
