package io.tether.netty.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.tether.pool.CloseCause;
import io.tether.pool.Endpoint;
import io.tether.pool.Lease;
import io.tether.pool.ResponseTimeoutException;
import io.tether.pool.StaleConnectionException;
import io.tether.pool.spi.Ticker;
import io.tether.pool.spi.PeerErrors;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Last handler of a client channel: runs one request/response exchange at a time on its lease, and
 * decides the connection's fate when it ends: back to the pool, capped by the server's {@code
 * Keep-Alive: timeout}, or closed. Event-loop confined.
 */
final class ExchangeHandler extends ChannelInboundHandlerAdapter implements ChannelFutureListener {
  static final String NAME = "tether-http-exchange";
  static final AttributeKey<ExchangeHandler> KEY = AttributeKey.valueOf("tether.http-exchange");

  private final long responseTimeoutNanos;
  private final Ticker ticker;
  private ChannelHandlerContext ctx;
  private Lease<Channel> lease;
  private Exchange current;
  /** Ticker time by which the current exchange's response must be complete. */
  private long deadline;
  private Endpoint hostFor;
  private CharSequence host;
  /**
   * One pending check per channel, not one timer per request: scheduling and cancelling a task for
   * every exchange costs more than the rest of the exchange's bookkeeping. The check re-arms itself
   * while exchanges keep running and lapses when the channel is quiet.
   */
  private ScheduledFuture<?> timer;
  private final Runnable check = this::checkDeadline;

  ExchangeHandler(Duration responseTimeout, Ticker ticker) {
    this.responseTimeoutNanos = responseTimeout.toNanos();
    this.ticker = ticker;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /** Starts {@code ex} on {@code l}; on the channel's event loop. */
  void start(Lease<Channel> l, Exchange ex) {
    assert ctx.executor().inEventLoop();
    if (current != null) {
      ex.failed(new IllegalStateException("exchange already running on " + ctx.channel()), l, false, null);
      return;
    }
    lease = l;
    current = ex;
    deadline = ticker.read() + responseTimeoutNanos;
    if (timer == null) {
      timer = ctx.executor().schedule(check, responseTimeoutNanos, TimeUnit.NANOSECONDS);
    }
    Endpoint e = l.endpoint();
    if (hostFor != e) { // a channel goes to one server: computed once per channel
      host = Exchange.hostHeader(e);
      hostFor = e;
    }
    ctx.writeAndFlush(ex.requestFor(e, host)).addListener(this);
  }

  /** The request's write finished; one exchange at a time, so a failure belongs to the current one. */
  @Override
  public void operationComplete(ChannelFuture f) {
    if (!f.isSuccess() && current != null) {
      fail(f.cause() instanceof StaleConnectionException ? f.cause()
          : new StaleConnectionException(lease.endpoint().name(), false, false, f.cause()));
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpResponse) || current == null) {
      ReferenceCountUtil.release(msg);
      return;
    }
    FullHttpResponse res = (FullHttpResponse) msg;
    if (res.decoderResult().isFailure()) {
      Throwable cause = res.decoderResult().cause();
      res.release();
      InvalidResponseException.Kind kind = cause instanceof TooLongFrameException
          ? InvalidResponseException.Kind.HEADER_TOO_LARGE : InvalidResponseException.Kind.MALFORMED;
      fail(new InvalidResponseException(kind, lease.endpoint().name(), cause.getMessage(), cause));
      return;
    }
    Exchange ex = current;
    Lease<Channel> l = lease;
    clear();
    if (HttpUtil.isKeepAlive(res) && ex.keepAlive()) {
      Duration serverIdle = keepAliveTimeout(res.headers().get(HttpHeaderNames.KEEP_ALIVE));
      if (serverIdle != null) {
        l.capIdleTime(serverIdle);
      }
      l.release();
    } else {
      // "Connection: close": the server will close it; we close first, gracefully.
      l.invalidate(CloseCause.PEER_CLOSED, null);
    }
    ex.succeeded(res);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (current == null) {
      return; // nothing waits on this channel; the pool handler already dealt with the peer
    }
    if (cause instanceof TooLongFrameException) {
      fail(new InvalidResponseException(InvalidResponseException.Kind.BODY_TOO_LARGE, lease.endpoint().name(),
          cause.getMessage(), cause));
      return;
    }
    if (cause instanceof PrematureChannelClosureException) {
      // The codec's word for a response the peer cut short by closing.
      fail(new InvalidResponseException(InvalidResponseException.Kind.TRUNCATED, lease.endpoint().name(),
          "connection closed before the response ended", cause));
      return;
    }
    fail(cause);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    if (current != null) {
      fail(new InvalidResponseException(InvalidResponseException.Kind.TRUNCATED, lease.endpoint().name(),
          "connection closed before the response ended", null));
    }
    ctx.fireChannelInactive();
  }

  private void checkDeadline() {
    timer = null;
    if (current == null || !ctx.channel().isActive()) {
      return;
    }
    long left = deadline - ticker.read();
    if (left > 0) {
      timer = ctx.executor().schedule(check, left, TimeUnit.NANOSECONDS);
      return;
    }
    fail(new ResponseTimeoutException(lease.endpoint().name(), Duration.ofNanos(responseTimeoutNanos)));
  }

  private void fail(Throwable cause) {
    Exchange ex = current;
    Lease<Channel> l = lease;
    clear();
    CloseCause closeCause = CloseCause.BROKEN;
    if (cause instanceof StaleConnectionException) {
      closeCause = ((StaleConnectionException) cause).peerReset() ? CloseCause.PEER_RESET : CloseCause.PEER_CLOSED;
    } else if (PeerErrors.isReset(cause)) {
      closeCause = CloseCause.PEER_RESET;
    }
    l.invalidate(closeCause, cause);
    ex.failed(cause, null, connectionLevel(cause), l.endpoint());
  }

  /**
   * Whether the failure belongs to the connection rather than to the request: the peer went away
   * (before or during the response), stopped answering, or its server was shut down. Such a failure
   * says nothing about the request, so an idempotent one may be sent again; a malformed or oversized
   * response would only repeat.
   */
  static boolean connectionLevel(Throwable cause) {
    return cause instanceof StaleConnectionException
        || cause instanceof ResponseTimeoutException
        || cause instanceof io.tether.pool.EndpointDownException
        || (cause instanceof InvalidResponseException
            && ((InvalidResponseException) cause).kind() == InvalidResponseException.Kind.TRUNCATED)
        || PeerErrors.isPeerAbort(cause);
  }

  private void clear() {
    current = null;
    lease = null;
  }

  /** {@code timeout=N} of a {@code Keep-Alive} header, or null. */
  static Duration keepAliveTimeout(String header) {
    if (header == null) {
      return null;
    }
    for (String part : header.split(",")) {
      String p = part.trim();
      if (p.regionMatches(true, 0, "timeout=", 0, 8)) {
        try {
          long seconds = Long.parseLong(p.substring(8).trim());
          return seconds > 0 ? Duration.ofSeconds(seconds) : null;
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return null;
  }
}
