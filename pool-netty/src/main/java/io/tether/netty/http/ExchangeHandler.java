package io.tether.netty.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.IllegalReferenceCountException;
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
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Last handler of a client channel: runs one request/response exchange at a time on its lease, and
 * decides the connection's fate when it ends: back to the pool, capped by the server's {@code
 * Keep-Alive: timeout}, or closed. Event-loop confined.
 */
final class ExchangeHandler extends ChannelInboundHandlerAdapter implements ChannelFutureListener {
  static final String NAME = "tether-http-exchange";
  static final AttributeKey<ExchangeHandler> KEY = AttributeKey.valueOf("tether.http-exchange");

  private final long requestTimeoutNanos;
  private final long firstByteTimeoutNanos;
  private final Ticker ticker;
  private final FramingDecoder framing;
  private final Consumer<HttpResponse> interim;
  private ChannelHandlerContext ctx;
  private Lease<Channel> lease;
  private Exchange current;
  /** Ticker time by which the current exchange's response must be complete. */
  private long deadline;
  /** Ticker time by which its first byte must arrive, or Long.MAX_VALUE; cleared by the first byte. */
  private long firstByteDeadline = Long.MAX_VALUE;
  /** Whether any part of the current response arrived. */
  private boolean responding;
  // A final response whose hand-back waits for the end of the read that carried it: only then is it
  // known whether more bytes came after it, which would put the next request's response out of step.
  private Exchange finished;
  private Lease<Channel> finishedLease;
  private FullHttpResponse finishedResponse;
  private Endpoint hostFor;
  private CharSequence host;
  /**
   * One pending check per channel, not one timer per request: scheduling and cancelling a task for
   * every exchange costs more than the rest of the exchange's bookkeeping. The check re-arms itself
   * while exchanges keep running and lapses when the channel is quiet.
   */
  private ScheduledFuture<?> timer;
  /** Ticker time the pending check runs at. */
  private long timerAt;
  private final HeldBody held = new HeldBody();
  private final Runnable check = this::checkDeadline;

  private final Aggregator aggregator;
  /** The body of the current streamed response, once its head arrived. */
  private BodyPublisher body;
  /** A streamed exchange is between an interim response's head and its end. */
  private boolean inInterim;

  ExchangeHandler(Duration requestTimeout, Duration firstByteTimeout, Ticker ticker, FramingDecoder framing,
      Aggregator aggregator, Consumer<HttpResponse> interim) {
    this.aggregator = aggregator;
    this.requestTimeoutNanos = requestTimeout.toNanos();
    this.firstByteTimeoutNanos = firstByteTimeout == null ? 0 : firstByteTimeout.toNanos();
    this.ticker = ticker;
    this.framing = framing;
    this.interim = interim;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /** Starts {@code ex} on {@code l}; on the channel's event loop. */
  void start(Lease<Channel> l, Exchange ex) {
    assert ctx.executor().inEventLoop();
    if (current != null || finished != null) {
      ex.failed(new IllegalStateException("exchange already running on " + ctx.channel()), l, false, null);
      return;
    }
    if (ex.isDone()) { // given up on while the lease was on its way here
      l.release();
      return;
    }
    if (framing.outOfStep()) {
      // Bytes arrived after the last response while the connection was being handed out: not this
      // request's. A fresh connection is the only safe place for it.
      l.invalidate(CloseCause.BROKEN, null);
      ex.failed(new StaleConnectionException(l.endpoint().name(), false, false, null), null, true, l.endpoint());
      return;
    }
    lease = l;
    current = ex;
    responding = false;
    long now = ticker.read();
    ex.startedAt(now);
    long total = ex.timeoutNanos(requestTimeoutNanos);
    deadline = ex.deadline(now, total);
    long firstByte = ex.firstByteTimeoutNanos(firstByteTimeoutNanos);
    firstByteDeadline = firstByte > 0 ? now + firstByte : Long.MAX_VALUE;
    long due = Math.min(deadline, firstByteDeadline) - now;
    if (due <= 0) {
      fail(new ResponseTimeoutException(l.endpoint().name(), Duration.ofNanos(total)));
      return;
    }
    if (timer == null || now + due < timerAt) {
      // Per-request deadlines can be shorter than the one the pending check was armed for.
      if (timer != null) {
        timer.cancel(false);
      }
      timerAt = now + due;
      timer = ctx.executor().schedule(check, due, TimeUnit.NANOSECONDS);
    }
    Endpoint e = l.endpoint();
    if (hostFor != e) { // a channel goes to one server: computed once per channel
      host = Exchange.hostHeader(e, ctx.pipeline().get(SslHandler.class) != null);
      hostFor = e;
    }
    ex.running(this, ctx.channel());
    Object request;
    try {
      if (ex.expectsContinue()) {
        // Expect: 100-continue: the head now, the body on the server's 100 or after a short wait
        // (RFC 9110 10.1.1), so that a server refusing the request does not have to read the body.
        request = ex.headFor(e, host);
        held.hold(ctx, ex.bodyPart(), this::sendHeldBody);
      } else {
        request = ex.requestFor(e, host);
      }
    } catch (IllegalReferenceCountException givenUp) {
      // The caller gave up on it from another thread just now, which released the request; nothing was
      // written, so the connection is as good as it was.
      clear();
      l.release();
      return;
    }
    framing.expect(ex.method());
    aggregator.bypass = ex.streams();
    ctx.writeAndFlush(request).addListener(this);
  }

  /**
   * The caller gave up on {@code ex} (cancelled it, or completed it from outside): if it is still
   * running here, its connection is closed at once, since the rest of the response would arrive on it.
   * On the event loop.
   */
  void abandon(Exchange ex) {
    if (current != ex) {
      return;
    }
    Lease<Channel> l = lease;
    BodyPublisher b = body;
    body = null;
    clear();
    if (b != null) {
      b.fail(new CancellationException("the exchange was given up"));
    }
    l.invalidate(CloseCause.ABANDONED, null);
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
    if (current != null) {
      responding = true;
      firstByteDeadline = Long.MAX_VALUE;
      if (framing.switched()) {
        ReferenceCountUtil.release(msg);
        failSwitched();
        return;
      }
    }
    if (current != null && current.streams()) {
      streamRead(msg);
      return;
    }
    if (!(msg instanceof FullHttpResponse) || current == null) {
      // Nothing waits for it: bytes after a 101, or a response after the response (the decoder has
      // marked the connection out of step, and the end of this read closes it).
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
    int code = res.status().code();
    if (code >= 100 && code < 200) {
      // Interim (100 Continue, 103 Early Hints): informational only, the final response follows
      // (RFC 9110 15.2). A 100 is also the go-ahead for a held-back body.
      if (code == 100) {
        sendHeldBody();
      }
      try {
        if (interim != null) {
          interim.accept(res);
        }
      } finally {
        res.release();
      }
      return;
    }
    finished = current;
    finishedLease = lease;
    finishedResponse = res;
    // A final answer before the held-back body was sent: the request never ended on this connection,
    // so it cannot carry another (RFC 9110 10.1.1 leaves closing as the client's choice).
    finishedIncomplete = held.drop();
    clear();
  }

  private boolean finishedIncomplete;

  /** Sends the held-back body of an {@code Expect: 100-continue} request, once. */
  private void sendHeldBody() {
    LastHttpContent b = held.take();
    if (b == null) {
      return;
    } else if (current != null) {
      ctx.writeAndFlush(b).addListener(this);
    } else {
      b.release();
    }
  }

  /** A part of a streamed response: its head completes the exchange's first stage, its content flows. */
  private void streamRead(Object msg) {
    if (msg instanceof HttpResponse) {
      HttpResponse head = (HttpResponse) msg;
      if (head.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        Throwable cause = head.decoderResult().cause();
        fail(new InvalidResponseException(cause instanceof TooLongFrameException
            ? InvalidResponseException.Kind.HEADER_TOO_LARGE : InvalidResponseException.Kind.MALFORMED,
            lease.endpoint().name(), cause.getMessage(), cause));
        return;
      }
      int code = head.status().code();
      if (code >= 100 && code < 200) {
        inInterim = true;
        if (interim != null) {
          interim.accept(head);
        }
        if (code == 100) {
          sendHeldBody();
        }
      } else {
        ctx.channel().config().setAutoRead(false);
        body = new BodyPublisher(ctx, this);
        current.streamStarted(new StreamedResponse(head, body));
      }
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!(msg instanceof HttpContent)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    HttpContent part = (HttpContent) msg;
    boolean last = msg instanceof LastHttpContent;
    if (inInterim || body == null) {
      part.release();
      inInterim &= !last;
      return;
    }
    if (part.decoderResult().isFailure()) {
      part.release();
      fail(new InvalidResponseException(InvalidResponseException.Kind.MALFORMED, lease.endpoint().name(),
          part.decoderResult().cause().getMessage(), part.decoderResult().cause()));
      return;
    }
    BodyPublisher b = body;
    if (part.content().isReadable()) {
      b.push(part.content().retain());
    }
    part.release();
    if (last) {
      b.end();
    }
  }

  /**
   * The streamed body was delivered whole: the connection goes back, as a final response's would (here,
   * on the loop, once the subscriber has taken the last chunk).
   */
  void streamEnded(BodyPublisher b) {
    if (body != b || current == null) {
      return;
    }
    body = null;
    aggregator.bypass = false;
    ctx.channel().config().setAutoRead(true);
    finished = current;
    finishedLease = lease;
    finishedResponse = null;
    finishedIncomplete = held.drop();
    clear();
    handBack(!ctx.channel().isActive());
  }

  /** The subscriber cancelled: the rest of the body would still arrive, so the connection goes. */
  void streamCancelled(BodyPublisher b) {
    if (body != b || current == null) {
      return;
    }
    body = null;
    Exchange ex = current;
    Lease<Channel> l = lease;
    clear();
    l.invalidate(CloseCause.ABANDONED, null);
    ex.succeeded(null);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (current != null && framing.switched()) {
      failSwitched();
    }
    if (finished != null) {
      handBack(false);
    }
    ctx.fireChannelReadComplete();
  }

  /**
   * A 101 Switching Protocols: the client sends no {@code Upgrade} of its own accord, and a pooled
   * connection cannot change protocol, so the request fails at once rather than at its deadline.
   */
  private void failSwitched() {
    fail(new InvalidResponseException(InvalidResponseException.Kind.UNEXPECTED_UPGRADE, lease.endpoint().name(),
        "101 Switching Protocols on a pooled HTTP/1.1 connection", null));
  }

  /**
   * Ends the exchange whose final response arrived in the read that just ended; {@code broken}: the
   * connection failed after it, and goes.
   */
  private void handBack(boolean broken) {
    Exchange ex = finished;
    Lease<Channel> l = finishedLease;
    FullHttpResponse res = finishedResponse;
    finished = null;
    finishedLease = null;
    finishedResponse = null;
    boolean incomplete = finishedIncomplete;
    finishedIncomplete = false;
    if (broken || incomplete) {
      l.invalidate(CloseCause.BROKEN, null);
    } else if (framing.outOfStep() || framing.buffered() > 0) {
      // More came after the response than the response: the next request would read it as its own.
      l.invalidate(CloseCause.BROKEN, new InvalidResponseException(InvalidResponseException.Kind.MALFORMED,
          l.endpoint().name(), "bytes after the end of the response", null));
    } else if (res == null ? ex.keepAlive() && ex.streamedKeepAlive() && ctx.channel().isActive()
        : HttpUtil.isKeepAlive(res) && ex.keepAlive() && ctx.channel().isActive()) {
      Duration serverIdle = KeepAlive.timeout((res == null ? ex.streamedHead() : res).headers().get(HttpHeaderNames.KEEP_ALIVE));
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
    if (finished != null) {
      handBack(true); // whatever broke came after the response, which stands; the connection goes
    }
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
    if (finished != null) {
      handBack(true); // the response was whole; the connection goes, closed
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
    long now = ticker.read();
    long left = Math.min(deadline, firstByteDeadline) - now;
    if (left > 0) {
      timerAt = now + left;
      timer = ctx.executor().schedule(check, left, TimeUnit.NANOSECONDS);
      return;
    }
    boolean firstByte = !responding && firstByteDeadline <= now && firstByteDeadline < deadline;
    fail(new ResponseTimeoutException(lease.endpoint().name(), Duration.ofNanos(firstByte
        ? current.firstByteTimeoutNanos(firstByteTimeoutNanos) : current.timeoutNanos(requestTimeoutNanos))));
  }

  private void fail(Throwable cause) {
    Exchange ex = current;
    Lease<Channel> l = lease;
    BodyPublisher b = body;
    body = null;
    clear();
    if (b != null) {
      // The head went out already: the failure is the body's, and the exchange is over.
      ctx.channel().config().setAutoRead(true);
      l.invalidate(CloseCause.BROKEN, cause);
      b.fail(cause);
      ex.succeeded(null);
      return;
    }
    CloseCause closeCause = CloseCause.BROKEN;
    if (cause instanceof StaleConnectionException) {
      closeCause = ((StaleConnectionException) cause).peerReset() ? CloseCause.PEER_RESET : CloseCause.PEER_CLOSED;
    } else if (PeerErrors.isReset(cause)) {
      closeCause = CloseCause.PEER_RESET;
    }
    l.invalidate(closeCause, cause);
    ex.failed(cause, null, RetryPolicy.connectionLevel(cause), l.endpoint());
  }

  private void clear() {
    held.drop();
    if (current != null) {
      current.running(null, null);
    }
    current = null;
    lease = null;
    firstByteDeadline = Long.MAX_VALUE;
  }
}
