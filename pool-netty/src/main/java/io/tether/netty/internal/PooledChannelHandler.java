package io.tether.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.tether.pool.CloseCause;
import io.tether.pool.ConnectionSignals;
import io.tether.pool.Lease;
import io.tether.pool.ResponseTimeoutException;
import io.tether.pool.StaleConnectionException;
import io.tether.pool.Ticker;
import io.tether.pool.internal.PeerErrors;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * First handler of every pooled channel. It tells the pool about each byte in or out (the idle clock
 * the balancer runs) and about closes by the peer; keeps resets of idle channels away from the
 * application; turns a reset or close of a leased channel that was still waiting for its response into
 * a {@link StaleConnectionException}; and enforces the response timeout.
 *
 * <p>All methods run on the channel's event loop, except {@link #leased()}, which the acquiring thread
 * calls before the user can write.
 */
public final class PooledChannelHandler extends ChannelDuplexHandler implements ChannelFutureListener {
  public static final String NAME = "tether-pool";
  public static final AttributeKey<PooledChannelHandler> KEY = AttributeKey.valueOf("tether.pooled-channel");

  private static final InternalLogger log = InternalLoggerFactory.getInstance(PooledChannelHandler.class);

  private final ConnectionSignals signals;
  private final Ticker ticker;
  private final long responseTimeoutNanos;

  // Event-loop confined.
  private boolean awaitingResponse;
  private long awaitingSince;
  private int unfinishedWrites;
  // Read by inactiveCause() from a releasing thread; written once per channel.
  private volatile boolean resetSeen;
  private volatile boolean peerGone;
  private volatile boolean closedLocally;
  private boolean staleReported;
  private ScheduledFuture<?> timer;

  public PooledChannelHandler(ConnectionSignals signals, Ticker ticker, Duration responseTimeout) {
    this.signals = signals;
    this.ticker = ticker;
    this.responseTimeoutNanos = responseTimeout.toNanos();
  }

  /** The lease of a pooled channel, or null if the channel is not pooled. */
  @SuppressWarnings("unchecked")
  public static Lease<Channel> leaseOf(Channel ch) {
    PooledChannelHandler h = ch.attr(KEY).get();
    return h == null ? null : (Lease<Channel>) h.signals.lease();
  }

  public ConnectionSignals signals() {
    return signals;
  }

  /** A new lease starts: whatever the last user left half-done is not this user's business. */
  public void leased() {
    awaitingResponse = false;
    staleReported = false;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    signals.activity();
    if (signals.isIdle()) {
      // Bytes while idle: the peer is talking out of turn (an HTTP 408 before closing, say). The
      // connection's state is unknown, so it cannot be handed out again.
      ReferenceCountUtil.release(msg);
      peerGone = true;
      log.debug("{} sent data while idle in the pool; closing it", ctx.channel());
      ctx.close();
      return;
    }
    awaitingResponse = false;
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    signals.activity();
    if (!awaitingResponse) {
      awaitingResponse = true;
      if (responseTimeoutNanos > 0) {
        awaitingSince = ticker.read();
        armTimer(ctx, responseTimeoutNanos);
      }
    }
    unfinishedWrites++;
    ChannelPromise p = promise.unvoid();
    p.addListener(this);
    ctx.write(msg, p);
  }

  @Override
  public void operationComplete(ChannelFuture future) {
    unfinishedWrites--;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (PeerErrors.isPeerAbort(cause)) {
      if (PeerErrors.isReset(cause)) {
        resetSeen = true;
      }
      peerGone = true;
      if (signals.isIdle()) {
        log.debug("{} reset by peer while idle in the pool (counted, not an error)", ctx.channel());
        ctx.close();
        return;
      }
      if (awaitingResponse && !staleReported) {
        staleReported = true;
        ctx.fireExceptionCaught(stale());
        ctx.close();
        return;
      }
    }
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    closedLocally = true;
    ctx.close(promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelTimer();
    if (signals.isLeased() && awaitingResponse && !staleReported && !closedLocally) {
      staleReported = true;
      ctx.fireExceptionCaught(stale());
    }
    if (resetSeen || peerGone || !closedLocally) {
      signals.closedByPeer(resetSeen);
    } else {
      signals.closedLocally();
    }
    ctx.fireChannelInactive();
  }

  /**
   * The pool is closing this channel ({@code cause}): if it was leased, tell its user why before the
   * close, as an exception through the pipeline. Any thread.
   */
  public void poolClosing(Channel ch, CloseCause cause, String poolName) {
    if (!signals.closedWhileLeased()) {
      ch.close();
      return;
    }
    ch.eventLoop().execute(() -> {
      if (ch.isActive()) {
        Throwable why = cause == CloseCause.POOL_CLOSED ? new io.tether.pool.PoolClosedException(poolName)
            : new io.tether.pool.EndpointDownException(poolName, signals.endpoint().name(),
                "marked down; its sessions were shut down");
        ch.pipeline().fireExceptionCaught(why);
      }
      ch.close();
    });
  }

  /**
   * Why the channel is no longer active, for a release that finds it so: the peer's doing (reset or
   * FIN), or a close on this side (its user, a timeout), which makes it broken.
   */
  public CloseCause inactiveCause() {
    if (resetSeen) {
      return CloseCause.PEER_RESET;
    }
    return peerGone || !closedLocally ? CloseCause.PEER_CLOSED : CloseCause.BROKEN;
  }

  private StaleConnectionException stale() {
    return new StaleConnectionException(signals.endpoint().name(), resetSeen, unfinishedWrites == 0, null);
  }

  private void armTimer(ChannelHandlerContext ctx, long delayNanos) {
    if (timer == null) {
      timer = ctx.executor().schedule(() -> timerFired(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void timerFired(ChannelHandlerContext ctx) {
    timer = null;
    if (!awaitingResponse || !ctx.channel().isActive()) {
      return;
    }
    long waited = ticker.read() - awaitingSince;
    if (waited < responseTimeoutNanos) {
      armTimer(ctx, responseTimeoutNanos - waited); // one timer per channel, re-armed, not one per write
      return;
    }
    awaitingResponse = false;
    ctx.fireExceptionCaught(
        new ResponseTimeoutException(signals.endpoint().name(), Duration.ofNanos(responseTimeoutNanos)));
    ctx.close();
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
