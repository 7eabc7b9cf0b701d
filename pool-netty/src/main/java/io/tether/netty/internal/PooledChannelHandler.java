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
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.SucceededFuture;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.tether.pool.CloseCause;
import io.tether.pool.EndpointDownException;
import io.tether.pool.PoolClosedException;
import io.tether.pool.ResponseTimeoutException;
import io.tether.pool.StaleConnectionException;
import io.tether.pool.spi.ConnectionSignals;
import io.tether.pool.spi.ConnectionWatch;
import io.tether.pool.spi.Pooled;
import io.tether.pool.spi.Ticker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * First handler of every pooled Netty 4 channel: translates its events into {@link ConnectionWatch}
 * calls (activity for the idle clock, closes by the peer, stale requests, the response timeout) and
 * acts on the answers. Runs on the channel's event loop, except {@link #leased()}, {@link #closing()} and
 * the future accessors.
 */
public final class PooledChannelHandler extends ChannelDuplexHandler implements ChannelFutureListener {
  public static final String NAME = "tether-pool";
  public static final AttributeKey<PooledChannelHandler> KEY = AttributeKey.valueOf("tether.pooled-channel");

  private static final InternalLogger log = InternalLoggerFactory.getInstance(PooledChannelHandler.class);

  private final ConnectionWatch watch;
  /** The pool that opened the channel: a release to another pool is refused. */
  final Object owner;
  private ScheduledFuture<?> timer;
  /**
   * Completed futures an immediate acquire and release return, made once per channel on its event loop:
   * a completed Netty future is immutable and notifies listeners without storing them, so every lease
   * shares them and the idle lease cycle allocates nothing. Listeners run on the channel's event loop,
   * as they do for Netty's own pools' futures.
   */
  private Future<Channel> acquired;
  private Future<Void> released;
  /** A close was asked for on this side: the channel may still look active while its close is queued. */
  private volatile boolean closing;
  /** Completes when the channel has closed: the pool's close waits for it. */
  final CompletableFuture<Void> closed = new CompletableFuture<>();
  /**
   * Whether the channel is in a user's hands, for a pool subclass that keeps idle channels in its own
   * queue (the engine then sees them leased throughout). 1: handed out.
   */
  private final java.util.concurrent.atomic.AtomicBoolean withUser = new java.util.concurrent.atomic.AtomicBoolean();

  public PooledChannelHandler(Object owner, ConnectionSignals signals, Ticker ticker, Duration responseTimeout,
      boolean requestResponse) {
    this.owner = owner;
    this.watch = new ConnectionWatch(signals, ticker, responseTimeout, requestResponse);
  }

  /** The handler of a pooled channel, or null if the channel was not opened by a Tether pool. */
  public static PooledChannelHandler of(Channel ch) {
    return ch.attr(KEY).get(); // one lookup; on a foreign channel it adds an empty attribute, harmlessly
  }

  /** Whether {@code pool} opened this channel. */
  public boolean ownedBy(Object pool) {
    return owner == pool;
  }

  /** The channel was handed to a user. */
  public void handedToUser() {
    withUser.set(true);
  }

  /** The user gives it back; false if it was not in a user's hands (released twice). */
  public boolean returnFromUser() {
    return withUser.compareAndSet(true, false);
  }

  /** This channel as the pool knows it. */
  @SuppressWarnings("unchecked")
  public Pooled<Channel> pooled() {
    return (Pooled<Channel>) watch.signals();
  }

  public ConnectionSignals signals() {
    return watch.signals();
  }

  /** A new lease starts; called by the acquiring thread before the user can write. */
  public void leased() {
    watch.leased();
  }

  /**
   * Whether the channel can be handed out: active, no close asked for on this side, and its event loop
   * not shutting down (its channels are about to be closed, and nothing written to them would run).
   */
  public static boolean usable(Channel ch) {
    if (!ch.isActive() || ch.eventLoop().isShuttingDown()) {
      return false;
    }
    PooledChannelHandler h = of(ch);
    return h == null || !h.closing;
  }

  /** As {@link #usable(Channel)}, with this channel's handler already at hand. */
  public boolean isUsable(Channel ch) {
    return !closing && ch.isActive() && !ch.eventLoop().isShuttingDown();
  }

  /** The channel as an already succeeded future; see {@link #acquired}. */
  public Future<Channel> acquiredFuture(Channel ch) {
    Future<Channel> f = acquired;
    if (f == null) {
      f = new SucceededFuture<>(ch.eventLoop(), ch);
      acquired = f;
    }
    return f;
  }

  /** A completed release; see {@link #acquired}. */
  public Future<Void> releasedFuture(Channel ch) {
    Future<Void> f = released;
    if (f == null) {
      f = new SucceededFuture<>(ch.eventLoop(), null);
      released = f;
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
    closing = true;
    watch.closingLocally();
    ctx.close(promise);
  }

  /** A close was asked for from outside the pipeline (the pool's connector): any thread. */
  void closing() {
    closing = true;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing = true;
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
    closed.complete(null);
  }

  /**
   * The pool is closing this channel ({@code cause}): if it was leased, tell its user why before the
   * close, as an exception through the pipeline. Any thread.
   */
  void poolClosing(Channel ch, CloseCause cause, String poolName) {
    closing = true;
    if (!watch.signals().closedWhileLeased()) {
      ch.close();
      return;
    }
    Runnable tell = () -> {
      if (ch.isActive()) {
        ch.pipeline().fireExceptionCaught(cause == CloseCause.POOL_CLOSED ? new PoolClosedException(poolName)
            : new EndpointDownException(poolName, watch.signals().endpoint().name(),
                "marked down; its sessions were shut down"));
      }
      ch.close();
    };
    if (!Loops.run(ch.eventLoop(), tell)) {
      ch.close(); // the loop is gone; the channel was closed with it
    }
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
      // Our own close: ctx.close() starts below this handler, so its close() would not record it, and
      // the pool would count a timed-out connection as closed by the peer instead of broken.
      closing = true;
      watch.closingLocally();
      ctx.close();
      return;
    }
    long again = watch.timerDelay(); // one timer per channel, re-armed, not one per write
    if (again >= 0) {
      arm(ctx, again);
    }
  }
}
