package io.tether.netty.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.tether.pool.haproxy.ServerStatus;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Takes an HTTP/1.1 server out from behind HAProxy without a failed request, in one call: {@link
 * #start()}.
 *
 * <ol>
 *   <li>Announce: the {@link ServerStatus} goes to DRAINING, which its {@link AgentResponder} and
 *       {@link HealthEndpoint} report at HAProxy's next check.
 *   <li>Until HAProxy has seen it ({@link ServerStatus#drainAcknowledged()}, from {@code http-check
 *       send-state}) or no connection has arrived for the quiet period, every response goes out with
 *       {@code Connection: close} and its connection closes after it: nothing becomes idle that the
 *       balancer could still pick.
 *   <li>Then idle connections are closed with a FIN (the balancer no longer sends them work) and each
 *       busy one closes after its response.
 *   <li>At the grace time whatever remains is closed, and the listening channel too.
 * </ol>
 *
 * The server's pipelines carry {@link #handler()} right after their {@code HttpServerCodec}. Steps are
 * logged at INFO under this class's logger; {@link #start()} completes with what happened.
 */
public final class ServerDrain {
  private static final InternalLogger log = InternalLoggerFactory.getInstance(ServerDrain.class);
  private static final AttributeKey<AtomicInteger> IN_FLIGHT = AttributeKey.valueOf("tether.drain.inflight");

  /** What a drain did. */
  public record Report(boolean acknowledged, long waitedMillis, int closedIdle, int closedAfterResponse,
      int closedAtGrace) {}

  private enum Phase { SERVING, ANNOUNCED, CLOSING }

  private final ServerStatus status;
  private final Channel listener;
  private final Duration quietPeriod;
  private final Duration grace;
  private final EventLoop timer;
  private final Set<Channel> open = ConcurrentHashMap.newKeySet();
  private final Tracker tracker = new Tracker();
  private final io.tether.pool.spi.Ticker ticker;
  private final AtomicLong lastAccept;
  private final AtomicInteger closedAfterResponse = new AtomicInteger();
  private volatile Phase phase = Phase.SERVING;

  /**
   * A drain for the server listening on {@code listener}.
   *
   * @param status what the server's agent and health endpoint report
   * @param listener the server's listening channel, closed at the end
   * @param quietPeriod with no acknowledgement from HAProxy, this long without a new connection counts
   *     as one; e.g. two check intervals
   * @param grace the longest the drain takes
   */
  public ServerDrain(ServerStatus status, Channel listener, Duration quietPeriod, Duration grace) {
    this(status, listener, quietPeriod, grace, io.tether.pool.spi.Ticker.system());
  }

  /**
   * As {@link #ServerDrain(ServerStatus, Channel, Duration, Duration)}, on {@code ticker}'s time.
   *
   * @param status what the server's agent and health endpoint report
   * @param listener the server's listening channel, closed at the end
   * @param quietPeriod see the other constructor
   * @param grace the longest the drain takes
   * @param ticker the clock
   */
  public ServerDrain(ServerStatus status, Channel listener, Duration quietPeriod, Duration grace,
      io.tether.pool.spi.Ticker ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.lastAccept = new AtomicLong(ticker.read());
    this.status = Objects.requireNonNull(status, "status");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.quietPeriod = Objects.requireNonNull(quietPeriod, "quietPeriod");
    this.grace = Objects.requireNonNull(grace, "grace");
    if (quietPeriod.isNegative() || grace.compareTo(quietPeriod) < 0) {
      throw new IllegalArgumentException("quietPeriod " + quietPeriod + " must be from 0 to grace " + grace);
    }
    this.timer = listener.eventLoop();
  }

  /** {@return the handler to add after {@code HttpServerCodec} in every accepted channel's pipeline} */
  public ChannelDuplexHandler handler() {
    return tracker;
  }

  /**
   * Runs the drain; safe to call once, from any thread.
   *
   * @return completes when the last connection is closed and the listener with it
   */
  public CompletableFuture<Report> start() {
    CompletableFuture<Report> done = new CompletableFuture<>();
    long started = ticker.read();
    status.state(ServerStatus.State.DRAINING);
    phase = Phase.ANNOUNCED;
    log.info("drain: announced to the balancer; {} connections open", open.size());
    timer.execute(() -> waitForAcknowledgement(started, done));
    return done;
  }

  private void waitForAcknowledgement(long started, CompletableFuture<Report> done) {
    long now = ticker.read();
    boolean acked = status.drainAcknowledged();
    boolean quiet = now - lastAccept.get() >= quietPeriod.toNanos();
    boolean late = now - started >= grace.toNanos();
    if (!acked && !quiet && !late) {
      timer.schedule(() -> waitForAcknowledgement(started, done), 20, TimeUnit.MILLISECONDS);
      return;
    }
    long waited = TimeUnit.NANOSECONDS.toMillis(now - started);
    log.info("drain: {} after {} ms; closing idle connections", acked ? "acknowledged by the balancer"
        : late ? "grace time reached" : "no new connection for the quiet period", waited);
    phase = Phase.CLOSING;
    int idle = 0;
    for (Channel ch : open) {
      AtomicInteger n = ch.attr(IN_FLIGHT).get();
      if (n == null || n.get() == 0) {
        idle++;
        ch.close();
      }
    }
    int closedIdle = idle;
    long left = Math.max(0, grace.toNanos() - (now - started));
    timer.schedule(() -> finish(acked, waited, closedIdle, done), left, TimeUnit.NANOSECONDS);
    pollEmpty(acked, waited, closedIdle, done);
  }

  private void pollEmpty(boolean acked, long waited, int closedIdle, CompletableFuture<Report> done) {
    if (done.isDone()) {
      return;
    }
    if (open.isEmpty()) {
      finish(acked, waited, closedIdle, done);
      return;
    }
    timer.schedule(() -> pollEmpty(acked, waited, closedIdle, done), 20, TimeUnit.MILLISECONDS);
  }

  private void finish(boolean acked, long waited, int closedIdle, CompletableFuture<Report> done) {
    if (done.isDone()) {
      return;
    }
    int remaining = open.size();
    for (Channel ch : open) {
      ch.close();
    }
    listener.close().addListener(f -> {
      Report r = new Report(acked, waited, closedIdle, closedAfterResponse.get(), remaining);
      log.info("drain: done: {}", r);
      done.complete(r);
    });
  }

  /** Tracks connections and requests in progress; closes after responses once the drain began. */
  @Sharable
  private final class Tracker extends ChannelDuplexHandler {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.channel().attr(IN_FLIGHT).set(new AtomicInteger());
      open.add(ctx.channel());
      lastAccept.set(ticker.read());
      ctx.channel().closeFuture().addListener(f -> open.remove(ctx.channel()));
      if (phase == Phase.CLOSING) {
        ctx.close(); // after the balancer let go: nobody should connect; close at once
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
      boolean draining = phase != Phase.SERVING;
      if (draining && msg instanceof HttpResponse) {
        ((HttpResponse) msg).headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      if (msg instanceof LastHttpContent) {
        AtomicInteger n = ctx.channel().attr(IN_FLIGHT).get();
        if (n != null) {
          n.decrementAndGet();
        }
        if (draining) {
          closedAfterResponse.incrementAndGet();
          ctx.write(msg, promise.unvoid()).addListener(ChannelFutureListener.CLOSE);
          return;
        }
      }
      ctx.write(msg, promise);
    }
  }
}
