package io.tether.netty.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.tether.pool.haproxy.DrainSequence;
import io.tether.pool.haproxy.ServerStatus;
import io.tether.pool.spi.Scheduler;
import io.tether.pool.spi.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Takes a Netty 4 HTTP/1.1 server out from behind HAProxy without a failed request, in one call:
 * {@link #start()} runs the {@link DrainSequence} (announce through the {@link ServerStatus}, answer
 * with {@code Connection: close} until HAProxy acknowledges or the quiet period passes, close idle
 * connections, close the rest and the listener at the grace time). Every accepted channel's pipeline
 * carries {@link #handler()} right after its {@code HttpServerCodec}. Steps are logged at INFO under
 * this class's logger.
 */
public final class ServerDrain {
  private static final InternalLogger log = InternalLoggerFactory.getInstance(ServerDrain.class);
  private static final AttributeKey<AtomicInteger> IN_FLIGHT = AttributeKey.valueOf("tether.drain.inflight");

  private final Channel listener;
  private final Set<Channel> open = ConcurrentHashMap.newKeySet();
  private final Tracker tracker = new Tracker();
  private final DrainSequence sequence;

  /**
   * A drain for the server listening on {@code listener}, on the system clock.
   *
   * @param status what the server's agent and health endpoint report
   * @param listener the server's listening channel, closed at the end
   * @param quietPeriod see {@link DrainSequence}
   * @param grace the longest the drain takes
   */
  public ServerDrain(ServerStatus status, Channel listener, Duration quietPeriod, Duration grace) {
    this(status, listener, quietPeriod, grace, Ticker.system());
  }

  /**
   * As {@link #ServerDrain(ServerStatus, Channel, Duration, Duration)}, on {@code ticker}'s time.
   *
   * @param status what the server's agent and health endpoint report
   * @param listener the server's listening channel, closed at the end
   * @param quietPeriod see {@link DrainSequence}
   * @param grace the longest the drain takes
   * @param ticker the clock
   */
  public ServerDrain(ServerStatus status, Channel listener, Duration quietPeriod, Duration grace, Ticker ticker) {
    this.listener = Objects.requireNonNull(listener, "listener");
    Scheduler loop = (task, delay, unit) -> {
      io.netty.util.concurrent.ScheduledFuture<?> f = listener.eventLoop().schedule(task, delay, unit);
      return () -> f.cancel(false);
    };
    java.util.function.Predicate<Channel> idle = ch -> {
      AtomicInteger busy = ch.attr(IN_FLIGHT).get();
      return busy == null || busy.get() == 0;
    };
    // The drain runs on the listener's loop; a child channel reads its requests on its own loop, where
    // idleness is tested again before the close.
    DrainSequence.Transport transport = DrainSequence.Transport.over(open, idle,
        ch -> ch.eventLoop().execute(() -> {
          if (idle.test(ch)) {
            ch.close();
          }
        }), Channel::close, () -> {
      CompletableFuture<Void> f = new CompletableFuture<>();
      listener.close().addListener(x -> f.complete(null));
      return f;
    });
    this.sequence = new DrainSequence(status, transport, loop, ticker, quietPeriod, grace, log::info);
  }

  /** {@return the handler to add after {@code HttpServerCodec} in every accepted channel's pipeline} */
  public ChannelDuplexHandler handler() {
    return tracker;
  }

  /** {@return the drain's steps and counts, for {@code ServerMeters}} */
  public DrainSequence sequence() {
    return sequence;
  }

  /**
   * Runs the drain; call once, from any thread.
   *
   * @return completes when the last connection is closed and the listener with it
   */
  public CompletableFuture<DrainSequence.Report> start() {
    return sequence.start();
  }

  /** Tracks connections and requests in progress; closes after responses once the drain began. */
  @Sharable
  private final class Tracker extends ChannelDuplexHandler {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.channel().attr(IN_FLIGHT).set(new AtomicInteger());
      open.add(ctx.channel());
      sequence.accepted();
      ctx.channel().closeFuture().addListener(f -> open.remove(ctx.channel()));
      if (sequence.closing()) {
        ctx.close(); // the balancer let go already: nobody should connect now
        return;
      }
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest) {
        ctx.channel().attr(IN_FLIGHT).get().incrementAndGet();
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      boolean draining = sequence.closeAfterResponse();
      if (draining && msg instanceof HttpResponse) {
        ((HttpResponse) msg).headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      if (msg instanceof LastHttpContent) {
        AtomicInteger n = ctx.channel().attr(IN_FLIGHT).get();
        if (n != null) {
          n.decrementAndGet();
        }
        if (draining) {
          sequence.closedAfterResponse();
          ctx.write(msg, promise.unvoid()).addListener(ChannelFutureListener.CLOSE);
          return;
        }
      }
      ctx.write(msg, promise);
    }
  }
}
