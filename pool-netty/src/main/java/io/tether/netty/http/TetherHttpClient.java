package io.tether.netty.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.tether.netty.TetherChannelPool;
import io.tether.pool.IdleInput;
import io.tether.netty.internal.PooledChannelHandler;
import io.tether.pool.ConnectionPool;
import io.tether.pool.Lease;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolListener;
import io.tether.pool.PoolStats;
import io.tether.pool.spi.Ticker;
import io.tether.pool.metrics.PoolMetricsRecorder;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * HTTP/1.1 over a {@link TetherChannelPool}: sends a request on a pooled keep-alive connection and
 * completes with the aggregated response.
 *
 * <ul>
 *   <li>Honours {@code Connection: close} (the connection is closed, not reused) and {@code Keep-Alive:
 *       timeout=N} (the connection is evicted N seconds, less the hand-out margin, after its last use if
 *       that is sooner than the configured eviction).
 *   <li>Retries an idempotent request (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) once, on a newly opened
 *       connection, when its connection failed: a {@link io.tether.pool.StaleConnectionException}, a
 *       reset or truncated response, a {@link io.tether.pool.ResponseTimeoutException}, an {@link
 *       io.tether.pool.EndpointDownException}; see {@link Builder#retryIdempotentRequests(boolean)}.
 *   <li>A response slower than the response timeout closes its connection as broken and fails with
 *       {@link io.tether.pool.ResponseTimeoutException}; a malformed, oversized or truncated one fails
 *       with {@link InvalidResponseException}.
 * </ul>
 *
 * <p>Threading: {@link #send} may be called from any thread; the future completes on the connection's
 * event loop. The caller owns the response and must release it.
 */
public final class TetherHttpClient implements AutoCloseable {
  private final TetherChannelPool pool;
  private final boolean retryIdempotent;
  private final LongAdder retries = new LongAdder();
  private final PoolMetricsRecorder metrics;

  private TetherHttpClient(Builder b) {
    Duration responseTimeout = b.responseTimeout != null ? b.responseTimeout
        : !b.config.responseTimeout().isZero() ? b.config.responseTimeout() : Duration.ofSeconds(30);
    int maxBytes = b.maxResponseBytes;
    Ticker ticker = b.ticker;
    this.retryIdempotent = b.retryIdempotent;
    this.metrics = b.metrics;
    TetherChannelPool.Builder poolBuilder =
        TetherChannelPool.builder(b.bootstrap)
            // An HTTP/1.1 server never speaks first: bytes on an idle connection (HAProxy's 408 before it
            // closes) mean the connection is done.
            .config(b.config.toBuilder().idleInput(IdleInput.CLOSE).build())
            .listener(b.listener)
            .metrics(b.metrics)
            .ticker(b.ticker);
    if (b.tls != null) {
      poolBuilder.tls(b.tls);
    }
    this.pool = poolBuilder
            .handler(
                new AbstractChannelPoolHandler() {
                  @Override
                  public void channelCreated(Channel ch) {
                    ExchangeHandler exchange = new ExchangeHandler(responseTimeout, ticker);
                    ch.attr(ExchangeHandler.KEY).set(exchange);
                    ch.pipeline()
                        .addLast("http-codec", new HttpClientCodec())
                        .addLast("http-aggregator", new HttpObjectAggregator(maxBytes))
                        .addLast(ExchangeHandler.NAME, exchange);
                  }
                })
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
    return send(request, null);
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
    Objects.requireNonNull(request, "request");
    Exchange ex = new Exchange(request, this, key);
    // An idle connection ready now is used at once: no future, no callback, no allocation for the lease.
    Lease<Channel> ready;
    try {
      ready = key == null ? leases().tryAcquire() : leases().tryAcquireByKey(key);
    } catch (RuntimeException e) {
      ex.completeExceptionally(e);
      return ex;
    }
    if (ready != null) {
      start(ex, ready);
    } else {
      attempt(ex, key == null ? leases().acquire() : leases().acquireByKey(key));
    }
    return ex;
  }

  /**
   * Retries on a newly opened connection: for a session, on its server (if that server is down the
   * pool moves the key); otherwise on another server than the one that just failed, if one is up.
   */
  void retry(Exchange ex, io.tether.pool.Endpoint failed, Throwable cause) {
    retries.increment();
    if (failed != null) {
      metrics.recordRetry(failed, reason(cause));
    }
    attempt(ex, ex.affinityKey == null ? leases().acquireFresh(failed) : leases().acquireFreshByKey(ex.affinityKey));
  }

  private void attempt(Exchange ex, CompletableFuture<Lease<Channel>> leasing) {
    leasing.whenComplete(
        (lease, error) -> {
          if (error != null) {
            ex.completeExceptionally(
                error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
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
      ch.eventLoop().execute(() -> h.start(lease, ex));
    }
  }

  private static String reason(Throwable cause) {
    if (cause instanceof io.tether.pool.StaleConnectionException) {
      return "stale";
    }
    if (cause instanceof io.tether.pool.ResponseTimeoutException) {
      return "timeout";
    }
    if (cause instanceof io.tether.pool.EndpointDownException) {
      return "endpoint-down";
    }
    return "reset";
  }

  boolean retryIdempotent() {
    return retryIdempotent;
  }

  /** {@return requests retried (after a stale connection, a response timeout or their server going down)} */
  public long retries() {
    return retries.sum();
  }

  /** {@return the channel pool under the client} */
  public TetherChannelPool pool() {
    return pool;
  }

  private ConnectionPool<Channel> leases() {
    return pool.leases();
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

  /** Settings of the client; pool settings come in a {@link PoolConfig}. Not thread-safe. */
  public static final class Builder {
    private final Bootstrap bootstrap;
    private PoolConfig config = PoolConfig.builder().build();
    private Duration responseTimeout;
    private int maxResponseBytes = 8 << 20;
    private boolean retryIdempotent = true;
    private PoolListener listener = PoolListener.NONE;
    private PoolMetricsRecorder metrics = PoolMetricsRecorder.NOOP;
    private Ticker ticker = Ticker.system();
    private io.tether.netty.Tls tls;

    private Builder(Bootstrap bootstrap) {
      this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
    }

    /**
     * HTTPS: TLS with host name verification unless {@link io.tether.netty.Tls} says otherwise.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder tls(io.tether.netty.Tls value) {
      this.tls = Objects.requireNonNull(value, "tls");
      return this;
    }

    /**
     * The pool configuration; it must name at least one server.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder config(PoolConfig value) {
      this.config = Objects.requireNonNull(value, "config");
      return this;
    }

    /**
     * Deadline for the whole response after the request is sent; default the pool's {@code
     * response-timeout} if set, else 30s.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder responseTimeout(Duration value) {
      if (value.isZero() || value.isNegative()) {
        throw new IllegalArgumentException("responseTimeout must be positive: " + value);
      }
      this.responseTimeout = value;
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
     * Retry an idempotent request once, on a newly opened connection, after a failure of its connection
     * rather than of the request: a stale connection (the peer closed or reset it before any response
     * byte), a reset or close in the middle of the response, a response timeout, or its server being
     * shut down; default true. Non-idempotent requests are never retried, and neither are malformed or
     * oversized responses.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder retryIdempotentRequests(boolean value) {
      this.retryIdempotent = value;
      return this;
    }

    /**
     * Lifecycle events; see {@link PoolListener}.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder listener(PoolListener value) {
      this.listener = Objects.requireNonNull(value, "listener");
      return this;
    }

    /**
     * Measurements; see {@link PoolMetricsRecorder}.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder metrics(PoolMetricsRecorder value) {
      this.metrics = Objects.requireNonNull(value, "metrics");
      return this;
    }

    /**
     * The clock; tests pass a fake one.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder ticker(Ticker value) {
      this.ticker = Objects.requireNonNull(value, "ticker");
      return this;
    }

    /** {@return the started client} */
    public TetherHttpClient build() {
      return new TetherHttpClient(this);
    }
  }
}
