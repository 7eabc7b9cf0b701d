package io.tether.netty;

import io.netty.channel.Channel;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.ChannelPoolHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.tether.netty.internal.Loops;
import io.tether.netty.internal.PooledChannelHandler;
import io.tether.pool.CloseCause;
import io.tether.pool.spi.Pooled;
import io.tether.pool.spi.TransportPool;
import java.util.concurrent.RejectedExecutionException;

/**
 * What a {@link TetherChannelPool} runs on a channel's event loop as the channel changes hands, in the
 * order Netty's {@code SimpleChannelPool} runs it: before a user gets a channel, the health check and
 * {@code channelAcquired}; on its release, the release check, {@code channelReleased} and the return to
 * the pool. Also the refusals of a release that is not the channel's holder's. {@link #deliver} may be
 * called from any thread and moves to the channel's event loop; {@link #releaseOnLoop} runs there.
 */
final class HandOver {
  private final ChannelPoolBase pool;
  private final ChannelPoolHandler handler;
  private final ChannelHealthChecker healthCheck;
  private final boolean releaseHealthCheck;
  private final TransportPool<Channel> transport;
  /** The pool's subclass keeps idle channels itself ({@code pollChannel}/{@code offerChannel} overridden). */
  private final boolean customQueue;

  HandOver(ChannelPoolBase pool, ChannelPoolHandler handler, ChannelHealthChecker healthCheck,
      boolean releaseHealthCheck, TransportPool<Channel> transport, boolean customQueue) {
    this.pool = pool;
    this.handler = handler;
    this.healthCheck = healthCheck;
    this.releaseHealthCheck = releaseHealthCheck;
    this.transport = transport;
    this.customQueue = customQueue;
  }

  /** Runs the health check and {@code channelAcquired} on the channel's event loop, then completes. */
  void deliver(Channel ch, Promise<Channel> promise) {
    if (!Loops.run(ch.eventLoop(), () -> check(ch, promise))) {
      discard(ch, CloseCause.BROKEN, null);
      promise.tryFailure(new RejectedExecutionException("the channel's event loop has shut down"));
    }
  }

  private void check(Channel ch, Promise<Channel> promise) {
    Future<Boolean> f;
    try {
      f = healthCheck.isHealthy(ch);
    } catch (Throwable t) {
      closeAndFail(ch, t, promise);
      return;
    }
    if (f.isDone()) {
      checked(f, ch, promise);
    } else {
      f.addListener(x -> checked(f, ch, promise));
    }
  }

  private void checked(Future<Boolean> f, Channel ch, Promise<Channel> promise) {
    if (!f.isSuccess() || !Boolean.TRUE.equals(f.getNow())) {
      discard(ch, CloseCause.BROKEN, null);
      pool.acquire(promise); // as Netty: another idle channel, or a new one
      return;
    }
    try {
      handler.channelAcquired(ch);
    } catch (Throwable t) {
      closeAndFail(ch, t, promise);
      return;
    }
    if (customQueue) {
      PooledChannelHandler.of(ch).handedToUser();
    }
    if (!promise.trySuccess(ch)) {
      pool.release(ch); // given up meanwhile: back to the pool
    }
  }

  private void closeAndFail(Channel ch, Throwable cause, Promise<?> promise) {
    discard(ch, CloseCause.BROKEN, cause);
    promise.tryFailure(cause);
  }

  /** Closes a channel leased from this pool instead of returning it. */
  void discard(Channel ch, CloseCause cause, Throwable detail) {
    PooledChannelHandler h = PooledChannelHandler.of(ch);
    if (h == null || !transport.invalidate(h.pooled(), cause, detail)) {
      ch.close();
    }
  }

  /** Checks, calls back and returns a released channel, or refuses the release; on the channel's loop. */
  void releaseOnLoop(Channel channel, Promise<Void> promise) {
    PooledChannelHandler h = ownHandler(channel);
    if (h == null) {
      promise.tryFailure(notFromHere(channel));
      return;
    }
    Pooled<Channel> p = h.pooled();
    if (customQueue ? !h.returnFromUser() : !p.awaitsRelease()) {
      promise.tryFailure(notLeased(channel, p));
      return;
    }
    if (!releaseHealthCheck) {
      offer(channel, h, p, true, promise);
      return;
    }
    Future<Boolean> f;
    try {
      f = healthCheck.isHealthy(channel);
    } catch (Throwable t) {
      discard(channel, CloseCause.BROKEN, t);
      promise.tryFailure(t);
      return;
    }
    if (f.isDone()) {
      offer(channel, h, p, f.isSuccess() && Boolean.TRUE.equals(f.getNow()), promise);
    } else {
      f.addListener(x -> offer(channel, h, p, f.isSuccess() && Boolean.TRUE.equals(f.getNow()), promise));
    }
  }

  private void offer(Channel channel, PooledChannelHandler h, Pooled<Channel> p, boolean healthy,
      Promise<Void> promise) {
    try {
      if (!healthy) {
        transport.invalidate(p, channel.isActive() ? CloseCause.BROKEN : h.inactiveCause(), null);
        handler.channelReleased(channel);
      } else if (customQueue) {
        if (!pool.offerChannel(channel)) {
          discard(channel, CloseCause.BROKEN, null);
          promise.tryFailure(new IllegalStateException("ChannelPool full"));
          return;
        }
        handler.channelReleased(channel);
      } else {
        // Before the engine can hand the channel to a waiting acquire, whose channelAcquired must come
        // after this channelReleased.
        handler.channelReleased(channel);
        if (!(PooledChannelHandler.usable(channel) ? pool.offerChannel(channel)
            : transport.invalidate(p, h.inactiveCause(), null))) {
          promise.tryFailure(notLeased(channel, p));
          return;
        }
      }
    } catch (Throwable t) {
      discard(channel, CloseCause.BROKEN, t);
      promise.tryFailure(t);
      return;
    }
    RuntimeException error = pool.afterClose(channel);
    if (error == null) {
      promise.trySuccess(null);
    } else {
      promise.tryFailure(error);
    }
  }

  PooledChannelHandler ownHandler(Channel channel) {
    PooledChannelHandler h = PooledChannelHandler.of(channel);
    return h != null && h.ownedBy(pool) ? h : null;
  }

  static IllegalArgumentException notFromHere(Channel channel) {
    return new IllegalArgumentException("Channel " + channel + " was not acquired from this ChannelPool");
  }

  /** A release of a channel that is not leased: refused; if it sits idle, closed, as Netty does. */
  IllegalArgumentException notLeased(Channel channel, Pooled<Channel> p) {
    transport.closeIfIdle(p);
    return new IllegalArgumentException("Channel " + channel
        + " was not acquired from this ChannelPool, or was released already");
  }
}
