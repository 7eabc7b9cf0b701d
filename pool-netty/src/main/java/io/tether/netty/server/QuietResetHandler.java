package io.tether.netty.server;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.tether.pool.spi.PeerErrors;
import java.util.concurrent.atomic.LongAdder;

/**
 * Makes a server quiet about peers that reset or abandon connections, as a load balancer does with
 * every health check ({@code option httpchk}, {@code check inter 200}: about five resets a second per
 * server) and with idle server connections. Such a connection is closed, counted by cause, and logged at
 * DEBUG; every other exception passes on unchanged.
 *
 * <p>Add it last, to any server pipeline, one shared instance for all channels:
 *
 * <pre>{@code
 * QuietResetHandler quiet = new QuietResetHandler();
 * ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), app, quiet);
 * }</pre>
 *
 * When added it also places a guard first in the pipeline, so a reset raised by the socket read is
 * stopped before it travels through the application's handlers; the instance at the end catches the
 * resets and broken pipes that handlers raise further along (a failed write, for instance).
 *
 * <p>Thread-safe and {@link Sharable}; counters may be read from any thread.
 */
@Sharable
public final class QuietResetHandler extends ChannelInboundHandlerAdapter {
  /** Name of the guard placed first in the pipeline. */
  public static final String GUARD_NAME = "tether-quiet-reset-guard";

  private static final InternalLogger log = InternalLoggerFactory.getInstance(QuietResetHandler.class);

  private final LongAdder resets = new LongAdder();
  private final LongAdder brokenPipes = new LongAdder();
  private final Guard guard = new Guard();
  private volatile Counter counter = Counter.NONE;

  /** Receives each quiet close, for metrics; see {@code ServerMeters}. */
  public interface Counter {
    /** Counts nothing. */
    Counter NONE = cause -> {};

    /**
     * Called on the channel's event loop with {@code "peer-reset"} or {@code "broken-pipe"}.
     *
     * @param cause {@code reset} or {@code broken-pipe}
     */
    void quietClose(String cause);
  }

  /**
   * Also reports each quiet close to {@code c} (replaces any previous one).
   *
   * @param c the counter
   * @return this handler
   */
  public QuietResetHandler counter(Counter c) {
    this.counter = c == null ? Counter.NONE : c;
    return this;
  }

  /** {@return connections closed because the peer reset them} */
  public long resets() {
    return resets.sum();
  }

  /** {@return connections closed because a write met a connection the peer had closed} */
  public long brokenPipes() {
    return brokenPipes.sum();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.pipeline().get(GUARD_NAME) == null) {
      ctx.pipeline().addFirst(GUARD_NAME, guard);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!quiet(ctx, cause)) {
      ctx.fireExceptionCaught(cause);
    }
  }

  private boolean quiet(ChannelHandlerContext ctx, Throwable cause) {
    String kind;
    if (PeerErrors.isReset(cause)) {
      resets.increment();
      kind = "peer-reset";
    } else if (PeerErrors.isBrokenPipe(cause)) {
      brokenPipes.increment();
      kind = "broken-pipe";
    } else {
      return false;
    }
    counter.quietClose(kind);
    if (log.isDebugEnabled()) {
      log.debug("{} closed quietly: {} ({})", ctx.channel(), kind, cause.getMessage());
    }
    ctx.close();
    return true;
  }

  @Sharable
  private final class Guard extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!quiet(ctx, cause)) {
        ctx.fireExceptionCaught(cause);
      }
    }
  }
}
