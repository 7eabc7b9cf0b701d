package io.tether.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.pool.ChannelPool;
import io.netty.channel.pool.ChannelPoolHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.SucceededFuture;
import io.tether.netty.internal.ChannelConnector;
import io.tether.netty.internal.ChannelProbes;
import io.tether.netty.internal.EventLoopScheduler;
import io.tether.netty.internal.LoggingListener;
import io.tether.netty.internal.PooledChannelHandler;
import io.tether.pool.ConnectionPool;
import io.tether.pool.Endpoint;
import io.tether.pool.Lease;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolListener;
import io.tether.pool.PoolStats;
import io.tether.pool.Ticker;
import io.tether.pool.metrics.PoolMetricsRecorder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A Netty {@link ChannelPool} that closes idle channels before the load balancer in front of the server
 * does, keeps peer resets of idle channels away from the application, and (with several servers) pins
 * sessions to servers and fails over when one goes down. Code written for {@code FixedChannelPool}
 * switches by changing the constructor:
 *
 * <pre>{@code
 * ChannelPool pool = new TetherChannelPool(bootstrap, handler, PoolConfig.builder()
 *     .lbIdleTimeout(Duration.ofMinutes(10))   // HAProxy "timeout http-keep-alive 10m": evict at 9m
 *     .maxConnections(50)
 *     .build());
 * }</pre>
 *
 * <p>Threading: every method may be called from any thread. Acquiring an idle channel runs entirely on
 * the calling thread, with no hop to an event loop; listeners of the returned future run on the
 * calling thread too. An acquire that waits for a new or released channel completes on the pool's event
 * loop (the first {@code next()} of the bootstrap's group). {@link ChannelPoolHandler#channelAcquired}
 * and {@link ChannelPoolHandler#channelReleased} are called on the thread that acquires or releases,
 * {@link ChannelPoolHandler#channelCreated} on the new channel's event loop.
 */
public final class TetherChannelPool implements ChannelPool {
  private static final Future<Void> RELEASED = new SucceededFuture<>(ImmediateEventExecutor.INSTANCE, null);

  private final ConnectionPool<Channel> pool;
  private final ChannelPoolHandler handler;
  private final EventExecutor executor;
  private final io.netty.channel.EventLoopGroup group;

  /**
   * A pool for {@code bootstrap}'s remote address, or for the servers listed in {@code config} if it
   * names any. The bootstrap is copied; its handler is replaced by one that calls {@code handler}.
   *
   * @param bootstrap the application's bootstrap; the pool opens channels with a clone of it
   * @param handler called as channels are created, acquired and released
   * @param config the configuration; it must name at least one server
   */
  public TetherChannelPool(Bootstrap bootstrap, ChannelPoolHandler handler, PoolConfig config) {
    this(builder(bootstrap).handler(handler).config(config));
  }

  /**
   * A pool with default settings and at most {@code maxConnections}, like {@code FixedChannelPool}.
   *
   * @param bootstrap the application's bootstrap; the pool opens channels with a clone of it
   * @param handler called as channels are created, acquired and released
   * @param maxConnections limit on open plus connecting channels
   */
  public TetherChannelPool(Bootstrap bootstrap, ChannelPoolHandler handler, int maxConnections) {
    this(bootstrap, handler, PoolConfig.builder().maxConnections(maxConnections).build());
  }

  private TetherChannelPool(Builder b) {
    this.handler = b.handler;
    EventLoop loop = b.bootstrap.config().group().next();
    this.executor = b.executor != null ? b.executor : loop;
    PoolConfig config = withServers(b.config, b.bootstrap.config().remoteAddress());
    ChannelConnector connector =
        new ChannelConnector(b.bootstrap, b.handler, b.ticker, config.responseTimeout(), config.name(), b.tls);
    ConnectionPool.Builder<Channel> pb =
        ConnectionPool.builder(connector)
            .config(config)
            .scheduler(new EventLoopScheduler(executor))
            .ticker(b.ticker)
            .listener(LoggingListener.wrap(config.name(), b.listener))
            .metrics(b.metrics);
    if (config.healthCheck().enabled()) {
      pb.healthProbe(b.probe != null ? b.probe : ChannelProbes.of(b.bootstrap, b.tls));
    }
    this.pool = pb.build();
    this.group = b.bootstrap.config().group();
  }

  private static PoolConfig withServers(PoolConfig config, SocketAddress remote) {
    if (!config.servers().isEmpty()) {
      return config;
    }
    if (!(remote instanceof InetSocketAddress)) {
      throw new IllegalArgumentException(
          "the bootstrap has no remote address and the config names no server: set Bootstrap.remoteAddress "
              + "or add tether.pool.server.<name>=<host>:<port>");
    }
    InetSocketAddress a = (InetSocketAddress) remote;
    // The name goes into metrics tags: the host, never the port.
    return config.toBuilder().server(Endpoint.of(a.getHostString(), a.getHostString(), a.getPort())).build();
  }

  /**
   * Starts building a pool with more than the constructor's options.
   *
   * @param bootstrap the application's bootstrap; the pool opens channels with a clone of it
    * @return a builder
   */
  public static Builder builder(Bootstrap bootstrap) {
    return new Builder(bootstrap);
  }

  // ------------------------------------------------------------------ ChannelPool

  @Override
  public Future<Channel> acquire() {
    Lease<Channel> lease;
    try {
      lease = pool.tryAcquire();
      if (lease != null) {
        Channel ch = lease.connection();
        return handOut(lease, ch).acquiredFuture(ch);
      }
    } catch (RuntimeException e) {
      return ImmediateEventExecutor.INSTANCE.newFailedFuture(e);
    }
    return completeOrWait(pool.acquire());
  }

  /**
   * A future for {@code leasing}: already complete if the pool answered at once (a rejection, say),
   * without an event-loop promise whose notification would cost every rejected caller a wake-up of the
   * loop; else a promise on the pool's event loop.
   */
  private Future<Channel> completeOrWait(CompletableFuture<Lease<Channel>> leasing) {
    if (leasing.isDone() && leasing.isCompletedExceptionally()) {
      Throwable cause = leasing.handle((l, e) -> e).join();
      return ImmediateEventExecutor.INSTANCE.newFailedFuture(
          cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause);
    }
    Promise<Channel> promise = executor.newPromise();
    acquireSlow(leasing, promise);
    return promise;
  }

  @Override
  public Future<Channel> acquire(Promise<Channel> promise) {
    Objects.requireNonNull(promise, "promise");
    Channel ch;
    try {
      ch = tryAcquireNow();
    } catch (RuntimeException e) {
      promise.tryFailure(e);
      return promise;
    }
    if (ch != null) {
      if (!promise.trySuccess(ch)) {
        release(ch);
      }
      return promise;
    }
    acquireSlow(pool.acquire(), promise);
    return promise;
  }

  /**
   * Acquires a channel for the session {@code key}, preferring the channel, or at least the server,
   * the key used last; see {@link ConnectionPool#acquireByKey}. Completes like {@link #acquire()}.
   *
   * @param key the session key, compared with {@code equals}
   * @return a future of the channel, completed on the channel's event loop or the caller's thread
   */
  public Future<Channel> acquireByKey(Object key) {
    try {
      Lease<Channel> lease = pool.tryAcquireByKey(key);
      if (lease != null) {
        Channel ch = lease.connection();
        return handOut(lease, ch).acquiredFuture(ch);
      }
    } catch (RuntimeException e) {
      return ImmediateEventExecutor.INSTANCE.newFailedFuture(e);
    }
    return completeOrWait(pool.acquireByKey(key));
  }

  /**
   * Sets a server to {@link io.tether.pool.ServerState#DRAIN}, {@link io.tether.pool.ServerState#MAINT}
   * or back to {@link io.tether.pool.ServerState#UP}; see {@link ConnectionPool#setServerState}.
   *
   * @param server the server's name, as configured
   * @param state the state to set
   */
  public void setServerState(String server, io.tether.pool.ServerState state) {
    pool.setServerState(server, state);
  }

  /**
   * An idle channel if one is ready now, else null: never waits, never opens a channel, allocates
   * nothing. Release it like any other.
   *
   * @return an idle channel, or null
   * @throws io.tether.pool.PoolClosedException if the pool is closed
   */
  public Channel tryAcquireNow() {
    Lease<Channel> lease = pool.tryAcquire();
    if (lease == null) {
      return null;
    }
    return handOut(lease);
  }

  private Channel handOut(Lease<Channel> lease) {
    Channel ch = lease.connection();
    handOut(lease, ch);
    return ch;
  }

  private PooledChannelHandler handOut(Lease<Channel> lease, Channel ch) {
    PooledChannelHandler h = ch.attr(PooledChannelHandler.KEY).get();
    h.leased();
    try {
      handler.channelAcquired(ch);
    } catch (Exception e) {
      lease.releaseBroken(e);
      throw new IllegalStateException("ChannelPoolHandler.channelAcquired failed for " + ch, e);
    }
    return h;
  }

  private void acquireSlow(CompletableFuture<Lease<Channel>> leasing, Promise<Channel> promise) {
    promise.addListener(
        (FutureListener<Channel>) f -> {
          if (f.isCancelled()) {
            leasing.cancel(false);
          }
        });
    leasing.whenComplete(
        (lease, error) -> {
          if (error != null) {
            promise.tryFailure(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
            return;
          }
          Channel ch;
          try {
            ch = handOut(lease);
          } catch (RuntimeException e) {
            promise.tryFailure(e);
            return;
          }
          if (!promise.trySuccess(ch)) {
            release(ch);
          }
        });
  }

  @Override
  public Future<Void> release(Channel channel) {
    Throwable error = release0(channel);
    return error == null ? RELEASED : ImmediateEventExecutor.INSTANCE.newFailedFuture(error);
  }

  @Override
  public Future<Void> release(Channel channel, Promise<Void> promise) {
    Throwable error = release0(channel);
    if (error == null) {
      promise.trySuccess(null);
    } else {
      promise.tryFailure(error);
    }
    return promise;
  }

  private Throwable release0(Channel channel) {
    Lease<Channel> lease = PooledChannelHandler.leaseOf(channel);
    if (lease == null || !belongs(lease)) {
      return new IllegalArgumentException("Channel " + channel + " was not acquired from this pool");
    }
    try {
      handler.channelReleased(channel);
    } catch (Exception e) {
      lease.releaseBroken(e);
      return e;
    }
    if (!channel.isActive()) {
      lease.invalidate(channel.attr(PooledChannelHandler.KEY).get().inactiveCause(), null);
    } else {
      lease.release();
    }
    return null;
  }

  private boolean belongs(Lease<Channel> lease) {
    return pool.owns(lease);
  }

  /**
   * The pool under this adapter, for leases with more control than a channel gives: {@link
   * Lease#capIdleTime}, {@link Lease#invalidate} with a cause, {@link ConnectionPool#acquireFresh()}.
   *
   * @return the engine under the adapter
   */
  public ConnectionPool<Channel> leases() {
    return pool;
  }

  /** {@return the configuration in effect (servers included)} */
  public PoolConfig config() {
    return pool.config();
  }

  /** {@return a snapshot of connections by state and waiting acquires} */
  public PoolStats stats() {
    return pool.stats();
  }

  /**
   * Closes the pool without blocking; see {@link ConnectionPool#closeAsync()}.
   *
   * @return completes when the last channel is closed
   */
  public Future<Void> closeAsync() {
    Promise<Void> p = ImmediateEventExecutor.INSTANCE.newPromise();
    pool.closeAsync().whenComplete((v, e) -> {
      if (e == null) {
        p.trySuccess(null);
      } else {
        p.tryFailure(e);
      }
    });
    return p;
  }

  /**
   * Closes the pool. Waits (at most the close timeout) for leased channels to be released, except on
   * an event loop thread, where waiting could block the very release it waits for (netty/netty#8238):
   * there it starts the close and returns.
   */
  @Override
  public void close() {
    CompletableFuture<Void> f = pool.closeAsync();
    if (!onEventLoop()) {
      f.join();
    }
  }

  private boolean onEventLoop() {
    if (executor.inEventLoop()) {
      return true;
    }
    for (EventExecutor e : group) {
      if (e.inEventLoop()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "TetherChannelPool{" + pool.stats() + "}";
  }

  /** Options beyond the constructors. Not thread-safe. */
  public static final class Builder {
    private final Bootstrap bootstrap;
    private ChannelPoolHandler handler = new io.netty.channel.pool.AbstractChannelPoolHandler() {
      @Override
      public void channelCreated(Channel ch) {}
    };
    private PoolConfig config = PoolConfig.builder().build();
    private PoolListener listener = PoolListener.NONE;
    private PoolMetricsRecorder metrics = PoolMetricsRecorder.NOOP;
    private Ticker ticker = Ticker.system();
    private EventExecutor executor;
    private io.tether.pool.HealthProbe probe;
    private Tls tls;

    private Builder(Bootstrap bootstrap) {
      this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
      if (bootstrap.config().group() == null) {
        throw new IllegalArgumentException("the bootstrap has no EventLoopGroup");
      }
    }

    /**
     * Called as channels are created, acquired and released; default does nothing.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder handler(ChannelPoolHandler value) {
      this.handler = Objects.requireNonNull(value, "handler");
      return this;
    }

    /**
     * The configuration; it must name at least one server.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder config(PoolConfig value) {
      this.config = Objects.requireNonNull(value, "config");
      return this;
    }

    /**
     * Lifecycle events; see {@link PoolListener} for the contract.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder listener(PoolListener value) {
      this.listener = Objects.requireNonNull(value, "listener");
      return this;
    }

    /**
     * Measurements; bind Micrometer with {@code io.tether.pool.metrics.micrometer}.
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

    /**
     * How servers are checked when {@code tether.pool.check} is on; default a TCP connect or an HTTP
     * request, as {@code check.type} says, over a copy of the bootstrap without your handlers.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder healthProbe(io.tether.pool.HealthProbe value) {
      this.probe = Objects.requireNonNull(value, "probe");
      return this;
    }

    /**
     * TLS for every connection (health checks stay plain TCP or HTTP); default none.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder tls(Tls value) {
      this.tls = Objects.requireNonNull(value, "tls");
      return this;
    }

    /**
     * Where the pool's timed work runs; default the bootstrap group's first {@code next()}.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder scheduler(EventExecutor value) {
      this.executor = Objects.requireNonNull(value, "executor");
      return this;
    }

    /** {@return the started pool} */
    public TetherChannelPool build() {
      return new TetherChannelPool(this);
    }
  }
}
