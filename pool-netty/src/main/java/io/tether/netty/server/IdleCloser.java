package io.tether.netty.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.tether.pool.haproxy.IdleDeadline;
import io.tether.pool.spi.Ticker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Closes an inbound keep-alive connection gracefully (FIN) once it has been idle for {@code closeAfter},
 * set below the balancer's {@code timeout server}, so the balancer never has to close it, and reset it,
 * itself. A connection with a request in progress is never closed: placed after an {@code
 * HttpServerCodec}, it counts requests in and complete responses out; elsewhere it goes by bytes alone.
 *
 * <p>One instance per channel (not sharable); timed on the channel's event loop. Counting is shared
 * through {@link #counter()} if several instances are built from one {@link Factory}.
 */
public final class IdleCloser extends ChannelDuplexHandler {
  private static final InternalLogger log = InternalLoggerFactory.getInstance(IdleCloser.class);

  private final IdleDeadline deadline;
  private final Ticker ticker;
  private final LongAdder closed;
  private ScheduledFuture<?> timer;

  /**
   * Closes after {@code closeAfter} of idleness, on the system clock.
   *
   * @param closeAfter how long a connection may stay idle before it is closed
   */
  public IdleCloser(Duration closeAfter) {
    this(closeAfter, Ticker.system(), new LongAdder());
  }

  IdleCloser(Duration closeAfter, Ticker ticker, LongAdder closed) {
    this.deadline = new IdleDeadline(closeAfter);
    this.ticker = ticker;
    this.closed = closed;
  }

  /**
   * A factory of closers set to {@code ratio} of the balancer's {@code timeout server} (for example 0.9
   * of 10s = 9s), sharing one counter.
   *
   * @param timeoutServer the balancer's {@code timeout server}
   * @param ratio fraction of {@code timeoutServer} to close at, above 0 and below 1
   * @return a factory of closers
   */
  public static Factory beforeBalancerTimeout(Duration timeoutServer, double ratio) {
    return new Factory(IdleDeadline.beforeBalancerTimeout(timeoutServer, ratio), Ticker.system());
  }

  /** Builds one closer per channel with a shared count. Thread-safe. */
  public static final class Factory {
    private final Duration closeAfter;
    private final Ticker ticker;
    private final LongAdder closed = new LongAdder();

    Factory(Duration closeAfter, Ticker ticker) {
      this.closeAfter = closeAfter;
      this.ticker = ticker;
    }

    /**
     * {@return the same factory on another clock, for tests}
     *
     * @param t the clock
     */
    public Factory withTicker(Ticker t) {
      return new Factory(closeAfter, t);
    }

    /** {@return a closer for one new channel} */
    public IdleCloser newHandler() {
      return new IdleCloser(closeAfter, ticker, closed);
    }

    /** {@return how long a connection may stay idle} */
    public Duration closeAfter() {
      return closeAfter;
    }

    /** {@return connections closed for idleness by closers of this factory} */
    public long closed() {
      return closed.sum();
    }
  }

  /** {@return connections this closer (and its siblings from the same factory) closed} */
  public long counter() {
    return closed.sum();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start(ctx);
    ctx.fireChannelActive();
  }

  private void start(ChannelHandlerContext ctx) {
    if (timer == null) {
      deadline.start(ticker.read());
      timer = ctx.executor().schedule(() -> check(ctx), deadline.closeAfterNanos(), TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    deadline.read(ticker.read(), msg instanceof HttpRequest);
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    deadline.wrote(ticker.read(), msg instanceof LastHttpContent);
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    ctx.fireChannelInactive();
  }

  private void check(ChannelHandlerContext ctx) {
    timer = null;
    if (!ctx.channel().isActive()) {
      return;
    }
    long now = ticker.read();
    long wait = deadline.check(now);
    if (wait == 0) {
      closed.increment();
      if (log.isDebugEnabled()) {
        log.debug("{} idle {}ms: closing before the balancer does", ctx.channel(),
            TimeUnit.NANOSECONDS.toMillis(deadline.idleNanos(now)));
      }
      ctx.close();
      return;
    }
    timer = ctx.executor().schedule(() -> check(ctx), wait, TimeUnit.NANOSECONDS);
  }
}
