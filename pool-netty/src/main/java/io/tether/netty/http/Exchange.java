package io.tether.netty.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import io.tether.pool.Endpoint;
import io.tether.pool.Lease;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.AsciiString;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One request the client was asked to send, across its attempts, and the future {@code send} returns.
 * Being the future saves a second object and a completion callback per request: the request is
 * released by whichever completion wins, the client's or a caller's {@code cancel}, {@code complete}
 * or {@code orTimeout}.
 */
final class Exchange extends CompletableFuture<FullHttpResponse> {
  private static final VarHandle REQUEST_RELEASED;

  static {
    try {
      REQUEST_RELEASED = MethodHandles.lookup().findVarHandle(Exchange.class, "requestReleased", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final Set<HttpMethod> IDEMPOTENT =
      Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.TRACE, HttpMethod.PUT, HttpMethod.DELETE);

  private final FullHttpRequest request;
  private final TetherHttpClient client;
  final Object affinityKey;
  private final RequestOptions options;
  /** Ticker time of {@code send}, when the request has a deadline of its own; else 0. */
  private final long sentAt;
  /** Where it runs, for a caller who gives up on it: the acquire it waits on, or its channel. */
  private volatile CompletableFuture<?> acquiring;
  private volatile ExchangeHandler runningOn;
  private volatile Channel channel;
  @SuppressWarnings("unused") // through REQUEST_RELEASED
  private volatile int requestReleased;
  private boolean retried;
  /** Retries made so far. */
  private int attempts;
  private boolean userAgentDone;
  /** Whether the retry budget has counted it; written on the event loops it runs on, one at a time. */
  private boolean counted;
  /** The server whose Host header we added, or null if the caller set Host (or none was needed yet). */
  private Endpoint hostSetFor;
  private final boolean keepAlive;

  Exchange(FullHttpRequest request, TetherHttpClient client, RequestOptions options, long sentAt) {
    this.request = request;
    this.client = client;
    this.options = options;
    this.affinityKey = options.affinityKey();
    this.sentAt = sentAt;
    // One header lookup decides both: HTTP/1.1 without a Connection header is keep-alive already, and
    // HTTP/1.0 without one gets "Connection: keep-alive".
    if (!request.headers().contains(HttpHeaderNames.CONNECTION)) {
      if (!request.protocolVersion().isKeepAliveDefault()) {
        HttpUtil.setKeepAlive(request, true);
      }
      keepAlive = true;
    } else {
      keepAlive = HttpUtil.isKeepAlive(request);
    }
  }

  // complete, completeExceptionally and cancel are the caller's ways to give up (orTimeout and
  // completeOnTimeout go through completeExceptionally and complete): the exchange stops at once, its
  // connection closed if it was mid-response, its acquire withdrawn if it was still waiting.

  @Override
  public boolean complete(FullHttpResponse value) {
    if (claimCompletion() && super.complete(value)) {
      abandoned();
      return true;
    }
    return false;
  }

  @Override
  public boolean completeExceptionally(Throwable cause) {
    if (claimCompletion() && super.completeExceptionally(cause)) {
      abandoned();
      return true;
    }
    return false;
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    if (claimCompletion()) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      abandoned();
      return cancelled;
    }
    return isCancelled();
  }

  private void finish(FullHttpResponse value) {
    if (!(claimCompletion() && super.complete(value)) && value != null) {
      value.release();
    }
  }

  // ---------------------------------------------------------------- streamed responses

  /** For {@link TetherHttpClient#stream}: completes with the head; null for an aggregated exchange. */
  private CompletableFuture<StreamedResponse> head;
  private StreamedResponse streamed;

  /** Makes this a streamed exchange, and returns the future of its head. */
  CompletableFuture<StreamedResponse> streamed() {
    CompletableFuture<StreamedResponse> h = new CompletableFuture<>() {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        boolean c = super.cancel(mayInterruptIfRunning);
        Exchange.this.cancel(mayInterruptIfRunning);
        return c;
      }

      @Override
      public boolean completeExceptionally(Throwable ex) {
        boolean c = super.completeExceptionally(ex);
        if (c) {
          Exchange.this.completeExceptionally(ex); // the caller gave up (orTimeout): so does the exchange
        }
        return c;
      }
    };
    head = h;
    whenComplete((r, t) -> {
      if (t != null) {
        h.completeExceptionally(t instanceof java.util.concurrent.CompletionException && t.getCause() != null
            ? t.getCause() : t);
      }
    });
    return h;
  }

  boolean streams() {
    return head != null;
  }

  /** The streamed response's head arrived: the caller gets it, and the body flows as they ask. */
  void streamStarted(StreamedResponse response) {
    streamed = response;
    head.complete(response);
  }

  io.netty.handler.codec.http.HttpResponse streamedHead() {
    return new io.netty.handler.codec.http.DefaultHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
        streamed.status(), streamed.headers());
  }

  boolean streamedKeepAlive() {
    return streamed != null && !streamed.headers().containsValue(HttpHeaderNames.CONNECTION, "close", true);
  }

  private void finishExceptionally(Throwable cause) {
    if (claimCompletion()) {
      super.completeExceptionally(cause);
    }
  }

  private void abandoned() {
    CompletableFuture<?> a = acquiring;
    if (a != null) {
      a.cancel(false); // withdraws the waiter; a lease that arrives anyway is released by start
    }
    ExchangeHandler h = runningOn;
    Channel ch = channel;
    if (h != null && ch != null) {
      try {
        if (ch.eventLoop().inEventLoop()) {
          h.abandon(this);
        } else {
          ch.eventLoop().execute(() -> h.abandon(this));
        }
      } catch (java.util.concurrent.RejectedExecutionException e) {
        ch.close(); // its loop is shutting down, which closes the channel anyway
      }
    }
  }

  /** Where the exchange waits for a lease; null once it has one. */
  void acquiring(CompletableFuture<?> f) {
    acquiring = f;
    if (isDone() && f != null) {
      f.cancel(false);
    }
  }

  /**
   * The exchange starts on a connection at {@code now}; its first start counts it toward the retry
   * budget (a retry is counted by the budget itself).
   */
  void startedAt(long now) {
    if (!counted) {
      counted = true;
      if (client != null) {
        client.sent(now);
      }
    }
  }

  boolean hasOwnTimeout() {
    return options.timeout() != null;
  }

  /**
   * The request's own deadline also bounds its wait for a connection: a task on one of the pool's event
   * loops fails it when the deadline passes while it still waits (which withdraws the acquire). Only
   * for a request that has to wait: the common case, a connection ready at once, schedules nothing.
   */
  void armAcquireDeadline(io.tether.netty.TetherChannelPool pool) {
    long left = sentAt + options.timeout().toNanos() - client.ticker().read();
    Runnable expire = () -> {
      if (acquiring != null && !isDone()) {
        failed(new io.tether.pool.ResponseTimeoutException("(waiting for a connection)", options.timeout()),
            null, false, null);
        CompletableFuture<?> a = acquiring;
        if (a != null) {
          a.cancel(false);
        }
      }
    };
    try {
      pool.bootstrap().config().group().next().schedule(expire, Math.max(0, left),
          java.util.concurrent.TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      expire.run();
    }
  }

  /** Where it runs now (handler and channel), or nulls once it stopped running there. */
  void running(ExchangeHandler h, Channel ch) {
    acquiring = null;
    runningOn = h;
    channel = ch;
  }

  HttpMethod method() {
    return request.method();
  }

  /** The deadline for the whole exchange: the request's own (from send), else {@code dflt} from now. */
  long timeoutNanos(long dflt) {
    Duration d = options.timeout();
    return d != null ? d.toNanos() : dflt;
  }

  long deadline(long now, long total) {
    return options.timeout() != null ? sentAt + total : now + total;
  }

  long firstByteTimeoutNanos(long dflt) {
    Duration d = options.firstByteTimeout();
    return d != null ? d.toNanos() : dflt;
  }

  /**
   * The first completion wins and releases the request before anyone sees the future done, so a caller
   * that got the result finds the request already released.
   */
  private boolean claimCompletion() {
    if ((int) REQUEST_RELEASED.getAndSet(this, 1) != 0) {
      return false;
    }
    request.release();
    return true;
  }

  /** Whether a retry may send it again: the request's own say, else its method's (RFC 9110 9.2.2). */
  boolean idempotent() {
    Boolean own = options.idempotent();
    return own != null ? own : IDEMPOTENT.contains(request.method());
  }

  /** Whether the caller's request allows the connection to be reused. */
  boolean keepAlive() {
    return keepAlive;
  }

  /**
   * The request for one attempt: the same headers, and the body as a duplicate with its own read index,
   * so a retry can send it again. Headers are shared, not copied (copying them cost more than the rest
   * of the exchange); a Host header the caller left out is set to {@code host}, {@code e}'s, and
   * replaced if a retry goes to another server.
   */
  FullHttpRequest requestFor(Endpoint e, CharSequence host) {
    if (hostSetFor != e && (hostSetFor != null || !request.headers().contains(HttpHeaderNames.HOST))) {
      request.headers().set(HttpHeaderNames.HOST, host);
      hostSetFor = e;
    }
    if (!userAgentDone) {
      userAgentDone = true;
      if (client != null && client.userAgent() != null && !request.headers().contains(HttpHeaderNames.USER_AGENT)) {
        request.headers().set(HttpHeaderNames.USER_AGENT, client.userAgent());
      }
    }
    ByteBuf body = request.content();
    return new DefaultFullHttpRequest(request.protocolVersion(), request.method(), request.uri(),
        body.isReadable() ? body.retainedDuplicate() : Unpooled.EMPTY_BUFFER, request.headers(),
        request.trailingHeaders());
  }

  /**
   * Whether the request asks the server to confirm before its body is sent ({@code Expect:
   * 100-continue}) and has a body to hold back.
   */
  boolean expectsContinue() {
    return request.content().isReadable() && HttpUtil.is100ContinueExpected(request);
  }

  /** The request's head alone, for an {@code Expect: 100-continue} exchange; see {@link #requestFor}. */
  io.netty.handler.codec.http.HttpRequest headFor(Endpoint e, CharSequence host) {
    FullHttpRequest full = requestFor(e, host);
    full.release();
    return new io.netty.handler.codec.http.DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(),
        full.headers());
  }

  /** The request's body as its last content, for an {@code Expect: 100-continue} exchange. */
  io.netty.handler.codec.http.LastHttpContent bodyPart() {
    return new io.netty.handler.codec.http.DefaultLastHttpContent(request.content().retainedDuplicate());
  }

  /**
   * The Host header value for {@code e} (RFC 9110 7.2): its host, an IPv6 literal in brackets, and its
   * port unless it is the scheme's default (80, or 443 over TLS).
   */
  static AsciiString hostHeader(Endpoint e, boolean tls) {
    String h = e.host();
    if (h.indexOf(':') >= 0 && !h.startsWith("[")) {
      h = "[" + h + "]";
    }
    return AsciiString.of(e.port() == (tls ? 443 : 80) ? h : h + ":" + e.port());
  }

  void succeeded(FullHttpResponse response) {
    finish(response);
  }

  /**
   * The attempt failed; {@code unused} is a lease the attempt never used (to release). A retryable
   * failure is retried on a fresh connection if the request is idempotent and the retry policy and
   * its budget allow.
   */
  void failed(Throwable cause, Lease<Channel> unused, boolean retryable, Endpoint failedOn) {
    if (unused != null) {
      unused.release();
    }
    if (retryable && !isDone() && idempotent() && client.mayRetry(this, attempts, failedOn)) {
      attempts++;
      retried = true;
      client.retry(this, failedOn, cause);
      return;
    }
    finishExceptionally(cause);
  }

  boolean wasRetried() {
    return retried;
  }
}
