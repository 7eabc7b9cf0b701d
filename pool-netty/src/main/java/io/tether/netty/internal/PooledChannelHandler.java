package io.tether.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.SucceededFuture;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.tether.pool.CloseCause;
import io.tether.pool.ConnectionSignals;
import io.tether.pool.EndpointDownException;
import io.tether.pool.Lease;
import io.tether.pool.PoolClosedException;
import io.tether.pool.ResponseTimeoutException;
import io.tether.pool.StaleConnectionException;
import io.tether.pool.Ticker;
import io.tether.pool.internal.ConnectionWatch;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * First handler of every pooled Netty 4 channel: translates its events into {@link ConnectionWatch}
 * calls (activity for the idle clock, closes by the peer, stale requests, the response timeout) and
 * acts on the answers. Runs on the channel's event loop, except {@link #leased()} and {@link
 * #inactiveCause()}.
 */
public final class PooledChannelHandler extends ChannelDuplexHandler implements ChannelFutureListener {
  public static final String NAME = "tether-pool";
  public static final AttributeKey<PooledChannelHandler> KEY = AttributeKey.valueOf("tether.pooled-channel");

  private static final InternalLogger log = InternalLoggerFactory.getInstance(PooledChannelHandler.class);

  private final ConnectionWatch watch;
  private ScheduledFuture<?> timer;
  /**
   * The completed future an immediate acquire returns, made once per channel: a completed Netty future
   * is immutable and notifies listeners at once without storing them, so every lease can share it and
   * an acquire allocates nothing. Touched only by the thread holding the lease.
   */
  private Future<Channel> acquired;

  public PooledChannelHandler(ConnectionSignals signals, Ticker ticker, Duration responseTimeout) {
    this.watch = new ConnectionWatch(signals, ticker, responseTimeout);
  }

  /** The lease of a pooled channel, or null if the channel is not pooled. */
  @SuppressWarnings("unchecked")
  public static Lease<Channel> leaseOf(Channel ch) {
    PooledChannelHandler h = ch.attr(KEY).get();
    return h == null ? null : (Lease<Channel>) h.watch.signals().lease();
  }

  public ConnectionSignals signals() {
    return watch.signals();
  }

  /** A new lease starts; called by the acquiring thread before the user can write. */
  public void leased() {
    watch.leased();
  }

  /** The channel as an already succeeded future; see {@link #acquired}. */
  public Future<Channel> acquiredFuture(Channel ch) {
    Future<Channel> f = acquired;
    if (f == null) {
      f = new SucceededFuture<>(ImmediateEventExecutor.INSTANCE, ch);
      acquired = f;
    }
    return f;
  }

  /** Why the channel is no longer active, for a release that finds it so. */
  public CloseCause inactiveCause() {
    return watch.inactiveCause();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!watch.read()) {
      ReferenceCountUtil.release(msg);
      log.debug("{} sent data while idle in the pool; closing it", ctx.channel());
      ctx.close();
      return;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    long delay = watch.write(timer != null);
    if (delay >= 0) {
      arm(ctx, delay);
    }
    ChannelPromise p = promise.unvoid();
    p.addListener(this);
    ctx.write(msg, p);
  }

  @Override
  public void operationComplete(ChannelFuture future) {
    watch.writeDone();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    switch (watch.exception(cause)) {
      case CLOSE_QUIETLY:
        log.debug("{} reset by peer while idle in the pool (counted, not an error)", ctx.channel());
        ctx.close();
        return;
      case STALE:
        ctx.fireExceptionCaught(watch.stale());
        ctx.close();
        return;
      default:
        ctx.fireExceptionCaught(cause);
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    watch.closingLocally();
    ctx.close(promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    StaleConnectionException stale = watch.inactive();
    if (stale != null) {
      ctx.fireExceptionCaught(stale);
    }
    ctx.fireChannelInactive();
    watch.closed();
  }

  /**
   * The pool is closing this channel ({@code cause}): if it was leased, tell its user why before the
   * close, as an exception through the pipeline. Any thread.
   */
  public void poolClosing(Channel ch, CloseCause cause, String poolName) {
    if (!watch.signals().closedWhileLeased()) {
      ch.close();
      return;
    }
    ch.eventLoop().execute(() -> {
      if (ch.isActive()) {
        ch.pipeline().fireExceptionCaught(cause == CloseCause.POOL_CLOSED ? new PoolClosedException(poolName)
            : new EndpointDownException(poolName, watch.signals().endpoint().name(),
                "marked down; its sessions were shut down"));
      }
      ch.close();
    });
  }

  private void arm(ChannelHandlerContext ctx, long delayNanos) {
    timer = ctx.executor().schedule(() -> timerFired(ctx), delayNanos, TimeUnit.NANOSECONDS);
  }

  private void timerFired(ChannelHandlerContext ctx) {
    timer = null;
    if (!ctx.channel().isActive()) {
      return;
    }
    ResponseTimeoutException overdue = watch.responseTimerFired();
    if (overdue != null) {
      ctx.fireExceptionCaught(overdue);
      ctx.close();
      return;
    }
    long again = watch.timerDelay(); // one timer per channel, re-armed, not one per write
    if (again >= 0) {
      arm(ctx, again);
    }
  }
}
