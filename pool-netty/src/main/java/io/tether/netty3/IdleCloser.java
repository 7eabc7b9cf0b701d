package io.tether.netty3;

import io.tether.pool.haproxy.IdleDeadline;
import io.tether.pool.spi.Ticker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.netty.channel.Channel;
import org.jboss.netty.channel.ChannelHandlerContext;
import org.jboss.netty.channel.ChannelStateEvent;
import org.jboss.netty.channel.MessageEvent;
import org.jboss.netty.channel.SimpleChannelHandler;
import org.jboss.netty.handler.codec.http.HttpChunk;
import org.jboss.netty.handler.codec.http.HttpRequest;
import org.jboss.netty.handler.codec.http.HttpResponse;
import org.jboss.netty.logging.InternalLogger;
import org.jboss.netty.logging.InternalLoggerFactory;
import org.jboss.netty.util.Timeout;
import org.jboss.netty.util.Timer;

/**
 * Closes an inbound keep-alive connection gracefully (FIN) once it has been idle for a time set below
 * the balancer's {@code timeout server}, on Netty 3's {@link Timer}, so the balancer never has to close
 * it. Placed after the HTTP decoder and encoder it never closes a connection with a request in progress.
 * One instance per channel, from a {@link Factory}.
 */
public final class IdleCloser extends SimpleChannelHandler {
  private static final InternalLogger log = InternalLoggerFactory.getInstance(IdleCloser.class);

  private final Ticker ticker;
  private final Timer timer;
  private final LongAdder closed;

  // Guarded by this: reads arrive on the I/O worker, writes on the writing thread.
  private final IdleDeadline deadline;
  private Timeout pending;

  /**
   * Closes after {@code closeAfter} of idleness, on the system clock, timed on {@code timer} (as the
   * Netty 4 {@code IdleCloser(Duration)}).
   *
   * @param closeAfter how long a connection may stay idle before it is closed; above 0
   * @param timer the application's timer (a {@code HashedWheelTimer}); the closer only schedules on it
   */
  public IdleCloser(Duration closeAfter, Timer timer) {
    this(closeAfter, Ticker.system(), timer, new LongAdder());
  }

  IdleCloser(Duration closeAfter, Ticker ticker, Timer timer, LongAdder closed) {
    this.deadline = new IdleDeadline(closeAfter);
    this.ticker = ticker;
    this.timer = timer;
    this.closed = closed;
  }

  /**
   * Closers at {@code ratio} of the balancer's {@code timeout server}, on {@code timer}.
   *
   * @param timeoutServer the balancer's {@code timeout server}
   * @param ratio fraction of {@code timeoutServer} to close at, above 0 and below 1
   * @param timer the Netty 3 timer the closers schedule on
   * @return a factory of closers
   */
  public static Factory beforeBalancerTimeout(Duration timeoutServer, double ratio, Timer timer) {
    return new Factory(IdleDeadline.beforeBalancerTimeout(timeoutServer, ratio), Ticker.system(), timer);
  }

  /** Builds one closer per channel with a shared count. Thread-safe. */
  public static final class Factory {
    private final Duration closeAfter;
    private final Ticker ticker;
    private final Timer timer;
    private final LongAdder closed = new LongAdder();

    Factory(Duration closeAfter, Ticker ticker, Timer timer) {
      this.closeAfter = closeAfter;
      this.ticker = ticker;
      this.timer = timer;
    }

    /**
     * {@return the same factory on another clock, for tests}
     *
     * @param t the clock
     */
    public Factory withTicker(Ticker t) {
      return new Factory(closeAfter, t, timer);
    }

    /** {@return a closer for one new channel} */
    public IdleCloser newHandler() {
      return new IdleCloser(closeAfter, ticker, timer, closed);
    }

    /** {@return how long a connection may stay idle} */
    public Duration closeAfter() {
      return closeAfter;
    }

    /** {@return connections closed for idleness} */
    public long closed() {
      return closed.sum();
    }
  }

  @Override
  public void channelConnected(ChannelHandlerContext ctx, ChannelStateEvent e) {
    synchronized (this) {
      deadline.start(ticker.read());
      schedule(e.getChannel(), deadline.closeAfterNanos());
    }
    ctx.sendUpstream(e);
  }

  @Override
  public void messageReceived(ChannelHandlerContext ctx, MessageEvent e) {
    synchronized (this) {
      deadline.read(ticker.read(), e.getMessage() instanceof HttpRequest);
    }
    ctx.sendUpstream(e);
  }

  @Override
  public void writeRequested(ChannelHandlerContext ctx, MessageEvent e) {
    Object m = e.getMessage();
    boolean complete = (m instanceof HttpResponse && !((HttpResponse) m).isChunked())
        || (m instanceof HttpChunk && ((HttpChunk) m).isLast());
    synchronized (this) {
      deadline.wrote(ticker.read(), complete);
    }
    ctx.sendDownstream(e);
  }

  @Override
  public void channelClosed(ChannelHandlerContext ctx, ChannelStateEvent e) {
    synchronized (this) {
      if (pending != null) {
        pending.cancel();
        pending = null;
      }
    }
    ctx.sendUpstream(e);
  }

  private void schedule(Channel ch, long delayNanos) {
    pending = timer.newTimeout(t -> check(ch), delayNanos, TimeUnit.NANOSECONDS);
  }

  private void check(Channel ch) {
    long idle;
    synchronized (this) {
      pending = null;
      if (!ch.isConnected()) {
        return;
      }
      long now = ticker.read();
      long wait = deadline.check(now);
      if (wait != 0) {
        schedule(ch, wait);
        return;
      }
      idle = deadline.idleNanos(now);
    }
    closed.increment();
    if (log.isDebugEnabled()) {
      log.debug(ch + " idle " + TimeUnit.NANOSECONDS.toMillis(idle) + "ms: closing before the balancer does");
    }
    ch.close();
  }
}
