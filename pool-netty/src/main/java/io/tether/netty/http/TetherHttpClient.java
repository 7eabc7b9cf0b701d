package io.tether.netty.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.EventExecutor;
import io.tether.netty.TetherChannelPool;
import io.tether.netty.Tls;
import io.tether.netty.dns.DnsDiscovery;
import io.tether.netty.internal.PooledChannelHandler;
import io.tether.pool.CloseCause;
import io.tether.pool.ConnectionPool;
import io.tether.pool.Endpoint;
import io.tether.pool.IdleInput;
import io.tether.pool.Lease;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolStats;
import io.tether.pool.metrics.PoolMetricsRecorder;
import io.tether.pool.spi.AdapterBuilder;
import io.tether.pool.spi.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * HTTP/1.1 over a {@link TetherChannelPool}: sends a request on a pooled keep-alive connection and
 * completes with the aggregated response.
 *
 * <ul>
 *   <li>Honours {@code Connection: close} (the connection is closed, not reused) and {@code Keep-Alive:
 *       timeout=N} (the connection is evicted N seconds, less the hand-out margin, after its last use if
 *       that is sooner than the configured eviction).
 *   <li>One response per request, or the connection goes: bytes after a complete response (a second
 *       response in the same segment, trailing garbage, a body on a {@code 204}, {@code 304} or {@code
 *       HEAD} response), or a response while no request is outstanding, close the connection instead of
 *       pooling it, so the next request always reads its own response.
 *   <li>Interim responses ({@code 100 Continue}, {@code 103 Early Hints}) are skipped on the way to the
 *       final one (see {@link Builder#onInterimResponse}); a {@code 101} fails the request at once with
 *       {@link InvalidResponseException.Kind#UNEXPECTED_UPGRADE}.
 *   <li>Retries an idempotent request (GET, HEAD, OPTIONS, TRACE, PUT, DELETE, or one whose {@link
 *       RequestOptions#idempotent(boolean)} says so) on a newly opened connection when its connection
 *       failed: a {@link io.tether.pool.StaleConnectionException}, a reset or truncated response, a
 *       {@link io.tether.pool.ResponseTimeoutException}, an {@link io.tether.pool.EndpointDownException};
 *       how often, and under which budget, is the {@link RetryPolicy}.
 *   <li>Two deadlines, each with one meaning: the request timeout bounds an attempt's whole response
 *       (or, set per request, the whole exchange from {@code send}); the first-byte timeout bounds the
 *       wait for the response to start. Either closes the connection as broken and fails with {@link
 *       io.tether.pool.ResponseTimeoutException}; a malformed, oversized or truncated response fails
 *       with {@link InvalidResponseException}.
 *   <li>Giving up frees at once: cancelling the future or completing it from outside ({@code orTimeout})
 *       withdraws a waiting acquire or closes the connection mid-exchange.
 *   <li>{@code Host} is set when the request has none: the server's host (IPv6 literals in brackets)
 *       and its port unless it is the scheme's default.
 * </ul>
 *
 * <p>Threading: {@link #send} may be called from any thread; the future completes on the connection's
 * event loop. The caller owns the response and must release it.
 */
public final class TetherHttpClient implements AutoCloseable {
  private final TetherChannelPool pool;
  private final RetryPolicy retryPolicy;
  private final RetryBudget budget;
  private final Ticker ticker;
  private final LongAdder retries = new LongAdder();
  private final LongAdder retriesRefused = new LongAdder();
  private final PoolMetricsRecorder metrics;
  private final AsciiString userAgent;

  private TetherHttpClient(Builder b) {
    this.userAgent = b.userAgent == null ? null : AsciiString.of(b.userAgent);
    Duration requestTimeout = b.requestTimeout != null ? b.requestTimeout : Duration.ofSeconds(30);
    // The pool's response-timeout is the first byte's deadline (as HAProxy's timeout server is).
    Duration firstByteTimeout = b.firstByteTimeout != null ? b.firstByteTimeout
        : !b.config().responseTimeout().isZero() ? b.config().responseTimeout() : null;
    this.ticker = b.ticker();
    this.retryPolicy = b.retryPolicy;
    this.budget = new RetryBudget(b.retryPolicy, ticker);
    this.metrics = b.metrics();
    TetherChannelPool.Builder poolBuilder =
        TetherChannelPool.builder(b.bootstrap)
            .sharedOptionsFrom(b)
            // An HTTP/1.1 server never speaks first: bytes on an idle connection (HAProxy's 408 before it
            // closes) mean the connection is done.
            .config(b.config().toBuilder().idleInput(IdleInput.CLOSE).build());
    if (b.tls != null) {
      poolBuilder.tls(b.tls);
    }
    if (b.dynamicServers) {
      poolBuilder.dynamicServers();
    }
    if (b.executor != null) {
      poolBuilder.scheduler(b.executor);
    }
    this.pool = poolBuilder
        .handler(new HttpChannels(requestTimeout, firstByteTimeout, ticker, b.maxResponseBytes, b.interim))
        .build();
  }

  /**
   * Starts building a client; the bootstrap gives the event loop group and channel type.
   *
   * @param bootstrap the application's bootstrap; the pool opens channels with a clone of it
    * @return a builder
   */
  public static Builder builder(Bootstrap bootstrap) {
    return new Builder(bootstrap);
  }

  /**
   * Sends {@code request} and completes with the response. Takes ownership of the request (it is
   * released when the exchange ends). Sets {@code Host} if missing and keep-alive if unspecified.
   *
   * @param request the request; released once sent
   * @return a future of the aggregated response, which the caller must release
   */
  public CompletableFuture<FullHttpResponse> send(FullHttpRequest request) {
    return send(request, RequestOptions.DEFAULT);
  }

  /**
   * Sends {@code request} for the session {@code key} (null for none): on the connection, or at least
   * the server, the key used last, HAProxy's {@code prefer-last-server}; if that server is down the key
   * moves to another. See {@link #send(FullHttpRequest)}.
   *
   * @param request the request; released once sent
   * @param key the session key, compared with {@code equals}
   * @return a future of the aggregated response, which the caller must release
   */
  public CompletableFuture<FullHttpResponse> send(FullHttpRequest request, Object key) {
    return send(request, key == null ? RequestOptions.DEFAULT : RequestOptions.DEFAULT.affinityKey(key));
  }

  /**
   * Sends {@code request} with {@code options}: its own deadlines, retry permission and session key. See
   * {@link #send(FullHttpRequest)}. Cancelling the returned future, or completing it from outside (as
   * {@code orTimeout} does), gives the request up at once: a waiting acquire is withdrawn, and a
   * connection in the middle of the exchange is closed (counted with cause {@code abandoned}).
   *
   * @param request the request; released once sent
   * @param options what this request asks for; null for {@link RequestOptions#DEFAULT} (so that
   *     {@code send(request, null)}, which Java resolves to this method, still means "no session key")
   * @return a future of the aggregated response, which the caller must release
   */
  public CompletableFuture<FullHttpResponse> send(FullHttpRequest request, RequestOptions options) {
    Objects.requireNonNull(request, "request");
    if (options == null) {
      options = RequestOptions.DEFAULT;
    }
    Exchange ex = newExchange(request, options);
    begin(ex);
    return ex;
  }

  /**
   * An exchange for {@code request}. The clock is read here only for a request with a deadline of its
   * own (it counts from now); every other reading happens where the exchange starts on its connection.
   */
  private Exchange newExchange(FullHttpRequest request, RequestOptions options) {
    return new Exchange(request, this, options, options.timeout() != null ? ticker.read() : 0);
  }

  /** Leases for {@code ex}: an idle connection ready now is used at once, else it waits for one. */
  private void begin(Exchange ex) {
    Object key = ex.affinityKey;
    // Ready at once: no future, no callback, no allocation for the lease.
    Lease<Channel> ready;
    try {
      ready = key == null ? leases().tryAcquire() : leases().tryAcquireByKey(key);
    } catch (RuntimeException e) {
      ex.failed(e, null, false, null);
      return;
    }
    if (ready != null) {
      start(ex, ready);
    } else {
      attempt(ex, key == null ? leases().acquire() : leases().acquireByKey(key));
    }
  }

  /** An exchange started on its first connection at {@code now}: it counts toward the retry budget. */
  void sent(long now) {
    if (retryPolicy.maxRetries() > 0) {
      budget.sent(now);
    }
  }

  /**
   * Sends {@code request} and completes with the response's status and headers as soon as they arrive;
   * the body follows through {@link StreamedResponse#body()}, read only as fast as its subscriber asks,
   * so bodies of any size pass through without being held whole (no {@code maxResponseBytes} applies).
   * The connection goes back to the pool when the body has been delivered whole, and is closed if the
   * subscriber cancels. Deadlines, retries (until the head arrives) and cancellation work as for {@link
   * #send(FullHttpRequest, RequestOptions)}; the request timeout bounds the whole exchange, body
   * included, so set it (or the request's own timeout) to what a large body needs.
   *
   * @param request the request; released once sent
   * @param options what this request asks for; null for {@link RequestOptions#DEFAULT}
   * @return a future of the response's head
   */
  public CompletableFuture<StreamedResponse> stream(FullHttpRequest request, RequestOptions options) {
    Objects.requireNonNull(request, "request");
    Exchange ex = newExchange(request, options == null ? RequestOptions.DEFAULT : options);
    CompletableFuture<StreamedResponse> head = ex.streamed();
    begin(ex);
    return head;
  }

  /**
   * Retries on a newly opened connection: for a session, on its server (if that server is down the
   * pool moves the key); otherwise on another server than the one that just failed, if one is up.
   */
  void retry(Exchange ex, Endpoint failed, Throwable cause) {
    retries.increment();
    if (failed != null) {
      metrics.recordRetry(failed, RetryPolicy.reasonOf(cause));
    }
    attempt(ex, ex.affinityKey == null ? leases().acquireFresh(failed) : leases().acquireFreshByKey(ex.affinityKey));
  }

  /** Whether {@code ex}, retried {@code attempts} times so far, may go again: per request, then budget. */
  boolean mayRetry(Exchange ex, int attempts, Endpoint failedOn) {
    if (attempts >= retryPolicy.maxRetries()) {
      return false;
    }
    if (!budget.tryRetry()) {
      retriesRefused.increment();
      if (failedOn != null) {
        metrics.recordRetryRefused(failedOn);
      }
      return false;
    }
    return true;
  }

  private void attempt(Exchange ex, CompletableFuture<Lease<Channel>> leasing) {
    ex.acquiring(leasing);
    if (ex.hasOwnTimeout() && !leasing.isDone()) {
      ex.armAcquireDeadline(pool);
    }
    leasing.whenComplete(
        (lease, error) -> {
          if (error != null) {
            ex.failed(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error,
                null, false, null);
            return;
          }
          start(ex, lease);
        });
  }

  private static void start(Exchange ex, Lease<Channel> lease) {
    Channel ch = lease.connection();
    ch.attr(PooledChannelHandler.KEY).get().leased();
    ExchangeHandler h = ch.attr(ExchangeHandler.KEY).get();
    if (ch.eventLoop().inEventLoop()) {
      h.start(lease, ex);
    } else {
      try {
        ch.eventLoop().execute(() -> h.start(lease, ex));
      } catch (RejectedExecutionException e) {
        lease.invalidate(CloseCause.BROKEN, e);
        ex.failed(e, null, false, null);
      }
    }
  }

  /** {@return requests retried (after a stale connection, a response timeout or their server going down)} */
  public long retries() {
    return retries.sum();
  }

  Ticker ticker() {
    return ticker;
  }

  /** The User-Agent set on requests that have none, or null. */
  AsciiString userAgent() {
    return userAgent;
  }

  /** {@return retries the retry budget refused} */
  public long retriesRefused() {
    return retriesRefused.sum();
  }

  /** {@return the channel pool under the client} */
  public TetherChannelPool pool() {
    return pool;
  }

  private ConnectionPool<Channel> leases() {
    return pool.leases();
  }

  /**
   * {@return the DNS discovery feeding this client's servers, started because its config's {@code
   * tether.pool.discovery.*} keys ask for it; null when the servers are a fixed list}
   */
  public DnsDiscovery discovery() {
    return pool.discovery();
  }

  /** {@return a snapshot of the pool's connections by state and waiting acquires} */
  public PoolStats stats() {
    return pool.stats();
  }

  /** Closes the pool; see {@link TetherChannelPool#close()}. */
  @Override
  public void close() {
    pool.close();
  }

  /**
   * Settings of the client; pool settings come in a {@link PoolConfig}, and the options every adapter
   * shares ({@code config}, {@code listener}, {@code metrics}, {@code ticker}, {@code healthProbe}) are
   * {@link AdapterBuilder}'s. A config that names no server makes the bootstrap's remote address the one
   * server (unless {@link #dynamicServers()} or DNS discovery). Not thread-safe.
   */
  public static final class Builder extends AdapterBuilder<Builder> {
    private final Bootstrap bootstrap;
    private boolean dynamicServers;
    private Duration requestTimeout;
    private Duration firstByteTimeout;
    private int maxResponseBytes = 8 << 20;
    private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
    private Consumer<HttpResponse> interim;
    private String userAgent;
    private Tls tls;
    private EventExecutor executor;

    private Builder(Bootstrap bootstrap) {
      this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
    }

    /**
     * HTTPS: TLS with host name verification unless {@link Tls} says otherwise.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder tls(Tls value) {
      this.tls = Objects.requireNonNull(value, "tls");
      return this;
    }

    /**
     * The pool starts with the configuration's servers only (none from the bootstrap); servers come at
     * runtime, from {@code pool().addServer} or a {@code DnsDiscovery}. See {@link
     * TetherChannelPool.Builder#dynamicServers()}.
     *
     * @return this builder
     */
    public Builder dynamicServers() {
      this.dynamicServers = true;
      return this;
    }

    /**
     * Deadline for each attempt's whole response, from the moment the request is written until its last
     * byte; default 30 s. A request's own {@link RequestOptions#timeout(Duration)} replaces it (and then
     * counts from {@code send}, across attempts).
     *
     * @param value positive
     * @return this builder
     */
    public Builder requestTimeout(Duration value) {
      if (value.isZero() || value.isNegative()) {
        throw new IllegalArgumentException("requestTimeout must be positive: " + value);
      }
      this.requestTimeout = value;
      return this;
    }

    /**
     * Same as {@link #requestTimeout(Duration)}: the name this setting had before the first-byte
     * deadline got its own.
     *
     * @param value positive
     * @return this builder
     * @deprecated use {@link #requestTimeout(Duration)}
     */
    @Deprecated
    public Builder responseTimeout(Duration value) {
      return requestTimeout(value);
    }

    /**
     * Deadline from the moment the request is written until the response's first byte; default the
     * pool's {@code response-timeout} if set, else none (the request timeout still bounds it).
     *
     * @param value positive
     * @return this builder
     */
    public Builder firstByteTimeout(Duration value) {
      if (value.isZero() || value.isNegative()) {
        throw new IllegalArgumentException("firstByteTimeout must be positive: " + value);
      }
      this.firstByteTimeout = value;
      return this;
    }

    /**
     * Receives interim responses ({@code 100 Continue}, {@code 103 Early Hints}), which the client
     * otherwise skips on the way to the final response. Called on the connection's event loop; the
     * response is released after the call returns.
     *
     * @param value the callback
     * @return this builder
     */
    public Builder onInterimResponse(Consumer<HttpResponse> value) {
      this.interim = Objects.requireNonNull(value, "value");
      return this;
    }

    /**
     * A {@code User-Agent} for requests that carry none; default none.
     *
     * @param value visible ASCII and spaces, 1 to 256 characters
     * @return this builder
     */
    public Builder userAgent(String value) {
      Objects.requireNonNull(value, "userAgent");
      if (value.isEmpty() || value.length() > 256 || !value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException("userAgent \"" + value + "\" (expected 1 to 256 visible ASCII characters)");
      }
      this.userAgent = value;
      return this;
    }

    /**
     * When to send a request again after its connection failed; default {@link RetryPolicy#DEFAULT}.
     *
     * @param value the policy
     * @return this builder
     */
    public Builder retryPolicy(RetryPolicy value) {
      this.retryPolicy = Objects.requireNonNull(value, "value");
      return this;
    }

    /**
     * Largest response body accepted; default 8 MiB.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder maxResponseBytes(int value) {
      if (value < 0) {
        throw new IllegalArgumentException("maxResponseBytes must not be negative: " + value);
      }
      this.maxResponseBytes = value;
      return this;
    }

    /**
     * {@code true}: {@link RetryPolicy#DEFAULT}; {@code false}: {@link RetryPolicy#NONE}.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder retryIdempotentRequests(boolean value) {
      this.retryPolicy = value ? RetryPolicy.DEFAULT : RetryPolicy.NONE;
      return this;
    }

    /**
     * Where the pool's timed work runs and waiting acquires' futures notify; default the bootstrap
     * group's first {@code next()}. See {@link TetherChannelPool.Builder#scheduler(EventExecutor)}.
     *
     * @param value the executor
     * @return this builder
     */
    public Builder scheduler(EventExecutor value) {
      this.executor = Objects.requireNonNull(value, "executor");
      return this;
    }

    /** {@return the started client} */
    public TetherHttpClient build() {
      return new TetherHttpClient(this);
    }
  }
}
