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
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** One request the client was asked to send, across its attempts. */
final class Exchange {
  private static final Set<HttpMethod> IDEMPOTENT =
      Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.TRACE, HttpMethod.PUT, HttpMethod.DELETE);

  private final FullHttpRequest request;
  private final TetherHttpClient client;
  final Object affinityKey;
  final CompletableFuture<FullHttpResponse> result = new CompletableFuture<>();
  private boolean retried;
  /** The server whose Host header we added, or null if the caller set Host (or none was needed yet). */
  private Endpoint hostSetFor;

  Exchange(FullHttpRequest request, TetherHttpClient client, Object affinityKey) {
    this.request = request;
    this.client = client;
    this.affinityKey = affinityKey;
    result.whenComplete((r, e) -> request.release());
  }

  boolean idempotent() {
    return IDEMPOTENT.contains(request.method());
  }

  boolean keepAlive() {
    return HttpUtil.isKeepAlive(request);
  }

  /**
   * The request for one attempt: the same headers, and the body as a duplicate with its own read index,
   * so a retry can send it again. Headers are shared, not copied (copying them cost more than the rest
   * of the exchange); a Host header the caller left out is set for {@code e}, and replaced if a retry
   * goes to another server.
   */
  FullHttpRequest requestFor(Endpoint e) {
    if (hostSetFor != e && (hostSetFor != null || !request.headers().contains(HttpHeaderNames.HOST))) {
      request.headers().set(HttpHeaderNames.HOST, e.port() == 80 ? e.host() : e.host() + ":" + e.port());
      hostSetFor = e;
    }
    return new DefaultFullHttpRequest(request.protocolVersion(), request.method(), request.uri(),
        request.content().retainedDuplicate(), request.headers(), request.trailingHeaders());
  }

  void succeeded(FullHttpResponse response) {
    if (!result.complete(response)) {
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
    result.completeExceptionally(cause);
  }

  boolean wasRetried() {
    return retried;
  }
}
