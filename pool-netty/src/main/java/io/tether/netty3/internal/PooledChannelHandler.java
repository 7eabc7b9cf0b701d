package io.tether.netty3.internal;

import io.tether.pool.CloseCause;
import io.tether.pool.spi.ConnectionSignals;
import io.tether.pool.EndpointDownException;
import io.tether.pool.PoolClosedException;
import io.tether.pool.ResponseTimeoutException;
import io.tether.pool.StaleConnectionException;
import io.tether.pool.spi.Ticker;
import io.tether.pool.spi.ConnectionWatch;
import io.tether.pool.spi.Pooled;
import java.util.concurrent.CompletableFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jboss.netty.channel.Channel;
import org.jboss.netty.channel.ChannelHandlerContext;
import org.jboss.netty.channel.ChannelStateEvent;
import org.jboss.netty.channel.Channels;
import org.jboss.netty.channel.ExceptionEvent;
import org.jboss.netty.channel.MessageEvent;
import org.jboss.netty.channel.SimpleChannelHandler;
import org.jboss.netty.logging.InternalLogger;
import org.jboss.netty.logging.InternalLoggerFactory;
import org.jboss.netty.util.Timeout;
import org.jboss.netty.util.Timer;

/**
 * First handler of every pooled Netty 3 channel: the same bookkeeping as the Netty 4 adapter's, through
 * {@link ConnectionWatch}. In Netty 3 a write runs on the writing thread while reads run on an I/O
 * worker, so calls into the watch are serialized on it.
 */
public final class PooledChannelHandler extends SimpleChannelHandler {
  public static final String NAME = "tether-pool";

  private static final InternalLogger log = InternalLoggerFactory.getInstance(PooledChannelHandler.class);

  private final ConnectionWatch watch;
  private final Timer timer;
  private Timeout pending; // guarded by watch
  /** The pool that opened the channel: a release to another pool is refused. */
  final Object owner;
  /** Completes when the channel has closed: the pool's close waits for it. */
  final CompletableFuture<Void> closed = new CompletableFuture<>();

  public PooledChannelHandler(Object owner, ConnectionSignals signals, Ticker ticker, Duration responseTimeout,
      boolean requestResponse, Timer timer) {
    this.owner = owner;
    this.watch = new ConnectionWatch(signals, ticker, responseTimeout, requestResponse);
    this.timer = timer;
  }

  /** The handler of a pooled channel, or null if the channel is not pooled. */
  public static PooledChannelHandler of(Channel ch) {
    return (PooledChannelHandler) ch.getPipeline().get(NAME);
  }

  /** This channel as the pool knows it. */
  @SuppressWarnings("unchecked")
  public Pooled<Channel> pooled() {
    return (Pooled<Channel>) watch.signals();
  }

  /** Whether {@code pool} opened this channel. */
  public boolean ownedBy(Object pool) {
    return owner == pool;
  }

  public void leased() {
    synchronized (watch) {
      watch.leased();
    }
  }

  public CloseCause inactiveCause() {
    return watch.inactiveCause();
  }

  @Override
  public void messageReceived(ChannelHandlerContext ctx, MessageEvent e) {
    boolean inTurn;
    synchronized (watch) {
      inTurn = watch.read();
    }
    if (!inTurn) {
      log.debug(e.getChannel() + " sent data while idle in the pool; closing it");
      e.getChannel().close();
      return;
    }
    ctx.sendUpstream(e);
  }

  @Override
  public void writeRequested(ChannelHandlerContext ctx, MessageEvent e) {
    synchronized (watch) {
      long delay = watch.write(pending != null);
      if (delay >= 0) {
        arm(e.getChannel(), delay);
      }
    }
    e.getFuture().addListener(f -> {
      synchronized (watch) {
        watch.writeDone();
      }
    });
    ctx.sendDownstream(e);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, ExceptionEvent e) {
    ConnectionWatch.Verdict v;
    synchronized (watch) {
      v = watch.exception(e.getCause());
    }
    switch (v) {
      case CLOSE_QUIETLY:
        log.debug(e.getChannel() + " reset by peer while idle in the pool (counted, not an error)");
        e.getChannel().close();
        return;
      case STALE:
        StaleConnectionException stale;
        synchronized (watch) {
          stale = watch.stale();
        }
        Channels.fireExceptionCaught(ctx, stale);
        e.getChannel().close();
        return;
      default:
        ctx.sendUpstream(e);
    }
  }

  @Override
  public void closeRequested(ChannelHandlerContext ctx, ChannelStateEvent e) {
    synchronized (watch) {
      watch.closingLocally();
    }
    ctx.sendDownstream(e);
  }

  @Override
  public void channelClosed(ChannelHandlerContext ctx, ChannelStateEvent e) {
    StaleConnectionException stale;
    synchronized (watch) {
      if (pending != null) {
        pending.cancel();
        pending = null;
      }
      stale = watch.inactive();
    }
    if (stale != null) {
      Channels.fireExceptionCaught(ctx, stale);
    }
    ctx.sendUpstream(e);
    synchronized (watch) {
      watch.closed();
    }
    closed.complete(null);
  }

  /** The pool is closing this channel: tell a leased user why, then close. Any thread. */
  public void poolClosing(Channel ch, CloseCause cause, String poolName) {
    if (watch.signals().closedWhileLeased() && ch.isConnected()) {
      Channels.fireExceptionCaught(ch, cause == CloseCause.POOL_CLOSED ? new PoolClosedException(poolName)
          : new EndpointDownException(poolName, watch.signals().endpoint().name(),
              "marked down; its sessions were shut down"));
    }
    ch.close();
  }

  private void arm(Channel ch, long delayNanos) {
    pending = timer.newTimeout(t -> fired(ch), delayNanos, TimeUnit.NANOSECONDS);
  }

  private void fired(Channel ch) {
    ResponseTimeoutException overdue;
    synchronized (watch) {
      pending = null;
      if (!ch.isConnected()) {
        return;
      }
      overdue = watch.responseTimerFired();
      if (overdue == null) {
        long again = watch.timerDelay();
        if (again >= 0) {
          arm(ch, again);
        }
        return;
      }
    }
    Channels.fireExceptionCaught(ch, overdue);
    ch.close();
  }
}
