package io.tether.netty.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.tether.pool.Endpoint;
import io.tether.pool.Lease;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.AsciiString;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
  @SuppressWarnings("unused") // through REQUEST_RELEASED
  private volatile int requestReleased;
  private boolean retried;
  /** The server whose Host header we added, or null if the caller set Host (or none was needed yet). */
  private Endpoint hostSetFor;
  private final boolean keepAlive;

  Exchange(FullHttpRequest request, TetherHttpClient client, Object affinityKey) {
    this.request = request;
    this.client = client;
    this.affinityKey = affinityKey;
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

  @Override
  public boolean complete(FullHttpResponse value) {
    return claimCompletion() && super.complete(value);
  }

  @Override
  public boolean completeExceptionally(Throwable cause) {
    return claimCompletion() && super.completeExceptionally(cause);
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    return claimCompletion() ? super.cancel(mayInterruptIfRunning) : isCancelled();
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

  boolean idempotent() {
    return IDEMPOTENT.contains(request.method());
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
    ByteBuf body = request.content();
    return new DefaultFullHttpRequest(request.protocolVersion(), request.method(), request.uri(),
        body.isReadable() ? body.retainedDuplicate() : Unpooled.EMPTY_BUFFER, request.headers(),
        request.trailingHeaders());
  }

  /** The Host header value for {@code e}: its host, and its port unless it is 80. */
  static AsciiString hostHeader(Endpoint e) {
    return AsciiString.of(e.port() == 80 ? e.host() : e.host() + ":" + e.port());
  }

  void succeeded(FullHttpResponse response) {
    if (!complete(response)) {
      response.release();
    }
  }

  /**
   * The attempt failed; {@code unused} is a lease the attempt never used (to release). A retryable
   * failure is retried once on a fresh connection if the request is idempotent and retries are on.
   */
  void failed(Throwable cause, Lease<Channel> unused, boolean retryable, Endpoint failedOn) {
    if (unused != null) {
      unused.release();
    }
    if (retryable && !retried && client.retryIdempotent() && idempotent()) {
      retried = true;
      client.retry(this, failedOn, cause);
      return;
    }
    completeExceptionally(cause);
  }

  boolean wasRetried() {
    return retried;
  }
}
