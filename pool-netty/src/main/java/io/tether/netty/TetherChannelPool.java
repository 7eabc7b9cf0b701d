package io.tether.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.ChannelPool;
import io.netty.channel.pool.ChannelPoolHandler;
import io.netty.channel.pool.FixedChannelPool.AcquireTimeoutAction;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.internal.ThreadExecutorMap;
import io.tether.netty.dns.DnsDiscovery;
import io.tether.netty.internal.ChannelConnector;
import io.tether.netty.internal.ChannelProbes;
import io.tether.netty.internal.Discoveries;
import io.tether.netty.internal.EventLoopScheduler;
import io.tether.netty.internal.Loops;
import io.tether.netty.internal.NettyDefaults;
import io.tether.netty.internal.NettyLog;
import io.tether.netty.internal.PooledChannelHandler;
import io.tether.pool.ConnectionPool;
import io.tether.pool.Endpoint;
import io.tether.pool.IdleInput;
import io.tether.pool.MembershipChange;
import io.tether.pool.PoolClosedException;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolStats;
import io.tether.pool.ServerState;
import io.tether.pool.spi.AdapterBuilder;
import io.tether.pool.spi.Pooled;
import io.tether.pool.spi.TransportPool;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A Netty {@link ChannelPool} that closes idle channels before the load balancer in front of the server
 * does, keeps peer resets of idle channels away from the application, and (with several servers) pins
 * sessions to servers and fails over when one goes down.
 *
 * <p><b>Swapping from Netty's pools.</b> The constructors take the parameter lists of {@code
 * SimpleChannelPool} and {@code FixedChannelPool}, with their defaults and semantics: the same
 * exceptions, callbacks on the channel's event loop, one connect attempt within the bootstrap's {@code
 * CONNECT_TIMEOUT_MILLIS}, no acquire timeout or pending bound unless given, {@code close()} that closes
 * idle channels and leaves leased ones to their holders. <em>The one thing a swap adds: a channel idle
 * for {@code evict-after} (45 s by default, nine tenths of HAProxy's default 50 s client timeout) is
 * closed before a balancer can reap it.</em> Set the balancer's real timeout with the {@code PoolConfig}
 * constructor or {@link #builder}, which also give Tether's richer defaults for new code.
 *
 * <p><b>Lifecycle.</b> A pool built with {@code SimpleChannelPool}'s parameter lists behaves as that
 * class: {@link #close()} closes idle channels and the pool stays usable. Every other pool, as {@code
 * FixedChannelPool}: after {@code close()} an acquire fails with {@link IllegalStateException}, a release
 * closes the channel and fails the same way; with a {@code close-timeout} configured, channels still
 * leased then are closed under their holders.
 *
 * <p><b>Threading.</b> Every method may be called from any thread. {@link ChannelPoolHandler} callbacks
 * and health checks run on the channel's event loop, as in Netty. When the handler's {@code
 * channelAcquired}/{@code channelReleased} are those of {@link AbstractChannelPoolHandler} (empty) and
 * the health checker is {@link ChannelHealthChecker#ACTIVE}, there is nothing to run there, and an idle
 * channel is leased and released on the calling thread without a hop and without allocating; listeners
 * of the returned futures still run on the channel's event loop.
 *
 * <p><b>Extending.</b> As with {@code SimpleChannelPool}, {@link #pollChannel()}, {@link
 * #offerChannel(Channel)} and {@link #connectChannel(Bootstrap)} may be overridden: a subclass that keeps
 * idle channels in its own queue takes them out of Tether's idle eviction (they stay leased as far as
 * the engine is concerned).
 */
public class TetherChannelPool implements ChannelPool {
  private final Bootstrap bootstrap;
  private final ChannelPoolHandler handler;
  private final ChannelHealthChecker healthCheck;
  private final boolean releaseHealthCheck;
  private final ConnectionPool<Channel> pool;
  private final TransportPool<Channel> transport;
  private final EventExecutor executor;
  /** Built with {@code SimpleChannelPool}'s parameters: close() empties the pool and it stays usable. */
  private final boolean reusableAfterClose;
  /** No callback or check to run on the event loop: the idle lease and release stay on the caller. */
  private final boolean inline;
  /** A subclass keeps idle channels itself ({@link #pollChannel}/{@link #offerChannel} overridden). */
  private final boolean customQueue;
  /** The event-loop side of acquires and releases: checks and callbacks, as SimpleChannelPool runs them. */
  private final HandOver handOver;
  private volatile boolean closed;
  /** The DNS discovery this pool started from its config's {@code discovery.*} keys, or null. */
  private final DnsDiscovery discovery;

  // ------------------------------------------------------------- SimpleChannelPool's constructors

  /**
   * As {@code SimpleChannelPool(bootstrap, handler)}: no limit, health check {@link
   * ChannelHealthChecker#ACTIVE} on acquire and release, most recently used first.
   *
   * @param bootstrap the application's bootstrap; the pool opens channels with a clone of it
   * @param handler called as channels are created, acquired and released
   */
  public TetherChannelPool(Bootstrap bootstrap, ChannelPoolHandler handler) {
    this(bootstrap, handler, ChannelHealthChecker.ACTIVE);
  }

  /**
   * As {@code SimpleChannelPool(bootstrap, handler, healthCheck)}.
   *
   * @param bootstrap the application's bootstrap
   * @param handler called as channels are created, acquired and released
   * @param healthCheck checks an idle channel before it is handed out, and on release
   */
  public TetherChannelPool(Bootstrap bootstrap, ChannelPoolHandler handler, ChannelHealthChecker healthCheck) {
    this(bootstrap, handler, healthCheck, true);
  }

  /**
   * As {@code SimpleChannelPool(bootstrap, handler, healthCheck, releaseHealthCheck)}.
   *
   * @param bootstrap the application's bootstrap
   * @param handler called as channels are created, acquired and released
   * @param healthCheck checks an idle channel before it is handed out
   * @param releaseHealthCheck whether a released channel is checked too
   */
  public TetherChannelPool(Bootstrap bootstrap, ChannelPoolHandler handler, ChannelHealthChecker healthCheck,
      boolean releaseHealthCheck) {
    this(bootstrap, handler, healthCheck, releaseHealthCheck, true);
  }

  /**
   * As {@code SimpleChannelPool(bootstrap, handler, healthCheck, releaseHealthCheck, lastRecentUsed)}.
   *
   * @param bootstrap the application's bootstrap
   * @param handler called as channels are created, acquired and released
   * @param healthCheck checks an idle channel before it is handed out
   * @param releaseHealthCheck whether a released channel is checked too
   * @param lastRecentUsed true: most recently used first (LIFO); false: FIFO
   */
  public TetherChannelPool(Bootstrap bootstrap, ChannelPoolHandler handler, ChannelHealthChecker healthCheck,
      boolean releaseHealthCheck, boolean lastRecentUsed) {
    this(netty(bootstrap, handler, healthCheck, releaseHealthCheck,
        NettyDefaults.simple(lastRecentUsed)), true);
  }

  // ------------------------------------------------------------- FixedChannelPool's constructors

  /**
   * As {@code FixedChannelPool(bootstrap, handler, maxConnections)}: no acquire timeout, no bound on
   * waiting acquires.
   *
   * @param bootstrap the application's bootstrap
   * @param handler called as channels are created, acquired and released
   * @param maxConnections limit on open plus connecting channels, at least 1
   */
  public TetherChannelPool(Bootstrap bootstrap, ChannelPoolHandler handler, int maxConnections) {
    this(bootstrap, handler, maxConnections, Integer.MAX_VALUE);
  }

  /**
   * As {@code FixedChannelPool(bootstrap, handler, maxConnections, maxPendingAcquires)}.
   *
   * @param bootstrap the application's bootstrap
   * @param handler called as channels are created, acquired and released
   * @param maxConnections limit on open plus connecting channels, at least 1
   * @param maxPendingAcquires bound on waiting acquires, at least 1; beyond it an acquire fails with
   *     {@link IllegalStateException}
   */
  public TetherChannelPool(Bootstrap bootstrap, ChannelPoolHandler handler, int maxConnections,
      int maxPendingAcquires) {
    this(bootstrap, handler, ChannelHealthChecker.ACTIVE, null, -1, maxConnections, maxPendingAcquires);
  }

  /**
   * As {@code FixedChannelPool(bootstrap, handler, healthCheck, action, acquireTimeoutMillis,
   * maxConnections, maxPendingAcquires)}.
   *
   * @param bootstrap the application's bootstrap
   * @param handler called as channels are created, acquired and released
   * @param healthCheck checks an idle channel before it is handed out, and on release
   * @param action what a timed-out acquire does (fail with a {@link java.util.concurrent.TimeoutException},
   *     or connect beyond the limit); null with {@code acquireTimeoutMillis} -1 for no timeout
   * @param acquireTimeoutMillis how long an acquire may wait, 0 or more; -1 with a null action for none
   * @param maxConnections limit on open plus connecting channels, at least 1
   * @param maxPendingAcquires bound on waiting acquires, at least 1
   */
  public TetherChannelPool(Bootstrap bootstrap, ChannelPoolHandler handler, ChannelHealthChecker healthCheck,
      AcquireTimeoutAction action, long acquireTimeoutMillis, int maxConnections, int maxPendingAcquires) {
    this(bootstrap, handler, healthCheck, action, acquireTimeoutMillis, maxConnections, maxPendingAcquires, true);
  }

  /**
   * As the {@code FixedChannelPool} constructor of the same parameters.
   *
   * @param bootstrap the application's bootstrap
   * @param handler called as channels are created, acquired and released
   * @param healthCheck checks an idle channel before it is handed out
   * @param action what a timed-out acquire does; see above
   * @param acquireTimeoutMillis how long an acquire may wait; see above
   * @param maxConnections limit on open plus connecting channels, at least 1
   * @param maxPendingAcquires bound on waiting acquires, at least 1
   * @param releaseHealthCheck whether a released channel is checked too
   */
  public TetherChannelPool(Bootstrap bootstrap, ChannelPoolHandler handler, ChannelHealthChecker healthCheck,
      AcquireTimeoutAction action, long acquireTimeoutMillis, int maxConnections, int maxPendingAcquires,
      boolean releaseHealthCheck) {
    this(bootstrap, handler, healthCheck, action, acquireTimeoutMillis, maxConnections, maxPendingAcquires,
        releaseHealthCheck, true);
  }

  /**
   * As the {@code FixedChannelPool} constructor of the same parameters.
   *
   * @param bootstrap the application's bootstrap
   * @param handler called as channels are created, acquired and released
   * @param healthCheck checks an idle channel before it is handed out
   * @param action what a timed-out acquire does; see above
   * @param acquireTimeoutMillis how long an acquire may wait; see above
   * @param maxConnections limit on open plus connecting channels, at least 1
   * @param maxPendingAcquires bound on waiting acquires, at least 1
   * @param releaseHealthCheck whether a released channel is checked too
   * @param lastRecentUsed true: most recently used first (LIFO); false: FIFO
   */
  public TetherChannelPool(Bootstrap bootstrap, ChannelPoolHandler handler, ChannelHealthChecker healthCheck,
      AcquireTimeoutAction action, long acquireTimeoutMillis, int maxConnections, int maxPendingAcquires,
      boolean releaseHealthCheck, boolean lastRecentUsed) {
    this(netty(bootstrap, handler, healthCheck, releaseHealthCheck, NettyDefaults.fixed(action,
        acquireTimeoutMillis, maxConnections, maxPendingAcquires, lastRecentUsed)), false);
  }

  // ------------------------------------------------------------- Tether's own

  /**
   * A pool with Tether's settings: for {@code bootstrap}'s remote address, or for the servers listed in
   * {@code config} if it names any.
   *
   * @param bootstrap the application's bootstrap; the pool opens channels with a clone of it
   * @param handler called as channels are created, acquired and released
   * @param config the configuration
   */
  public TetherChannelPool(Bootstrap bootstrap, ChannelPoolHandler handler, PoolConfig config) {
    this(builder(bootstrap).handler(handler).config(config), false);
  }

  /**
   * For subclasses: a pool from a builder's settings.
   *
   * @param builder the settings
   */
  protected TetherChannelPool(Builder builder) {
    this(builder, false);
  }

  private static Builder netty(Bootstrap bootstrap, ChannelPoolHandler handler, ChannelHealthChecker healthCheck,
      boolean releaseHealthCheck, PoolConfig config) {
    return builder(bootstrap).handler(handler).healthChecker(healthCheck).releaseHealthCheck(releaseHealthCheck)
        .config(config);
  }

  private TetherChannelPool(Builder b, boolean reusableAfterClose) {
    this.handler = b.handler;
    this.healthCheck = b.healthCheck;
    this.releaseHealthCheck = b.releaseHealthCheck;
    this.reusableAfterClose = reusableAfterClose;
    EventLoopGroup group = b.bootstrap.config().group();
    this.executor = b.executor != null ? b.executor : group != null ? group.next() : GlobalEventExecutor.INSTANCE;
    boolean discovered = b.config().discovery().enabled();
    PoolConfig config = b.dynamicServers || discovered ? b.config() : NettyDefaults.withServer(b.config(), b.bootstrap);
    ChannelConnector connector = new ChannelConnector(this, b.bootstrap, b.handler, b.ticker(),
        config.responseTimeout(), config.idleInput() == IdleInput.CLOSE, config.name(), b.tls, this::connectChannel);
    this.bootstrap = b.bootstrap.clone();
    ConnectionPool.Builder<Channel> pb = ConnectionPool.builder(connector)
        .config(config)
        .scheduler(new EventLoopScheduler(executor))
        .ticker(b.ticker())
        .listener(b.listener())
        .log(NettyLog.of(config.name()))
        .metrics(b.metrics());
    if (b.dynamicServers) {
      pb.dynamicServers();
    }
    if (config.healthCheck().enabled()) {
      pb.healthProbe(b.healthProbe() != null ? b.healthProbe() : ChannelProbes.of(b.bootstrap, b.tls));
    }
    this.customQueue = NettyDefaults.overrides(getClass(), TetherChannelPool.class, "pollChannel")
        || NettyDefaults.overrides(getClass(), TetherChannelPool.class, "offerChannel", Channel.class);
    boolean quietHandler = NettyDefaults.isEmpty(handler, "channelAcquired")
        && NettyDefaults.isEmpty(handler, "channelReleased");
    this.inline = quietHandler && healthCheck == ChannelHealthChecker.ACTIVE && !customQueue;
    this.pool = pb.build();
    this.transport = pool.transport();
    this.handOver = new HandOver(this, handler, healthCheck, releaseHealthCheck, transport, customQueue);
    this.discovery = discovered ? Discoveries.start(pool, group, config) : null;
  }

  /**
   * Starts building a pool with Tether's settings and more options than the constructors.
   *
   * @param bootstrap the application's bootstrap; the pool opens channels with a clone of it
   * @return a builder
   */
  public static Builder builder(Bootstrap bootstrap) {
    return new Builder(bootstrap);
  }

  // ------------------------------------------------------------- acquiring

  @Override
  public Future<Channel> acquire() {
    if (inline) {
      Channel ch;
      try {
        ch = pollChannel();
      } catch (RuntimeException e) {
        return ImmediateEventExecutor.INSTANCE.newFailedFuture(e);
      }
      if (ch != null) {
        // Nothing to run on the event loop: ACTIVE was checked as the engine leased it.
        return PooledChannelHandler.of(ch).acquiredFuture(ch);
      }
      return acquireNew(Loops.promise(executor));
    }
    return acquire(Loops.promise(executor));
  }

  @Override
  public Future<Channel> acquire(Promise<Channel> promise) {
    Objects.requireNonNull(promise, "promise");
    Channel ch;
    try {
      ch = pollChannel();
    } catch (RuntimeException e) {
      promise.tryFailure(e);
      return promise;
    }
    if (ch != null) {
      handOver.deliver(ch, promise);
      return promise;
    }
    return acquireNew(promise);
  }

  /**
   * Acquires a channel for the session {@code key}, preferring the channel, or at least the server, the
   * key used last; see {@link ConnectionPool#acquireByKey}. Completes like {@link #acquire()}.
   *
   * @param key the session key, compared with {@code equals}
   * @return a future of the channel
   */
  public Future<Channel> acquireByKey(Object key) {
    Objects.requireNonNull(key, "key");
    Promise<Channel> promise = Loops.promise(executor);
    Pooled<Channel> p;
    try {
      p = transport.tryLeaseByKey(key);
    } catch (RuntimeException e) {
      promise.tryFailure(e);
      return promise;
    }
    if (p != null) {
      handOver.deliver(p.connection(), promise);
      return promise;
    }
    leaseThenDeliver(transport.lease(key), promise);
    return promise;
  }

  /**
   * An idle channel if one is ready now, else null: never waits, never opens a channel, and (with no
   * callbacks to run, see the class comment) allocates nothing. Release it like any other.
   *
   * @return an idle channel, or null
   * @throws IllegalStateException if the pool is closed
   */
  public Channel tryAcquireNow() {
    if (!inline) {
      throw new IllegalStateException("tryAcquireNow() runs no callback and no health check: it needs a handler "
          + "without channelAcquired/channelReleased and ChannelHealthChecker.ACTIVE; use acquire()");
    }
    return pollChannel();
  }

  private Future<Channel> acquireNew(Promise<Channel> promise) {
    if (closed && !reusableAfterClose) {
      promise.tryFailure(closedError());
      return promise;
    }
    leaseThenDeliver(transport.lease(null), promise);
    return promise;
  }

  private void leaseThenDeliver(CompletableFuture<Pooled<Channel>> leasing, Promise<Channel> promise) {
    if (!leasing.isDone()) {
      // Giving up on the promise (cancel, a failure set from outside) withdraws the waiting acquire.
      promise.addListener(f -> {
        if (!f.isSuccess()) {
          leasing.completeExceptionally(f.cause());
        }
      });
    }
    leasing.whenComplete((p, error) -> {
      if (error != null) {
        promise.tryFailure(NettyDefaults.unwrap(error));
      } else {
        handOver.deliver(p.connection(), promise);
      }
    });
  }

  /**
   * Takes an idle channel out of the pool, already leased; null if none is ready. Netty's {@code
   * SimpleChannelPool} hook: override it with {@link #offerChannel} to keep idle channels yourself.
   *
   * @return an idle channel, or null
   */
  protected Channel pollChannel() {
    Pooled<Channel> p = transport.tryLease();
    return p == null ? null : p.connection();
  }

  /**
   * Returns a released, healthy channel to the pool. Netty's {@code SimpleChannelPool} hook; false fails
   * the release with {@link IllegalStateException} and closes the channel.
   *
   * @param channel the channel
   * @return whether the pool took it
   */
  protected boolean offerChannel(Channel channel) {
    PooledChannelHandler h = PooledChannelHandler.of(channel);
    return h != null && transport.release(h.pooled());
  }

  /**
   * Connects {@code bs}, a copy of the bootstrap with the pool's handler and the server's address set.
   * Netty's {@code SimpleChannelPool} hook.
   *
   * @param bs the bootstrap to connect
   * @return the connect's future
   */
  protected ChannelFuture connectChannel(Bootstrap bs) {
    return bs.connect();
  }

  // ------------------------------------------------------------- releasing

  @Override
  public Future<Void> release(Channel channel) {
    Objects.requireNonNull(channel, "channel");
    if (inline && (channel.eventLoop().inEventLoop() || !Loops.busy(channel.eventLoop()))) {
      // Nothing queued on the loop could close the channel before us (the busy check), so usable() is
      // the truth, and nothing needs the loop.
      PooledChannelHandler h = handOver.ownHandler(channel);
      RuntimeException error = h == null ? HandOver.notFromHere(channel) : releaseHere(channel, h);
      return error == null ? h.releasedFuture(channel) : channel.eventLoop().newFailedFuture(error);
    }
    return release(channel, Loops.promise(channel.eventLoop()));
  }

  @Override
  public Future<Void> release(Channel channel, Promise<Void> promise) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(promise, "promise");
    Runnable task = () -> handOver.releaseOnLoop(channel, promise);
    if (!Loops.run(channel.eventLoop(), task)) {
      task.run(); // the loop is gone (and closed the channel): release it here
    }
    return promise;
  }

  /** The fast release: no callback, no check but liveness. */
  private RuntimeException releaseHere(Channel channel, PooledChannelHandler h) {
    Pooled<Channel> p = h.pooled();
    boolean done = h.isUsable(channel) ? transport.release(p)
        : transport.invalidate(p, h.inactiveCause(), null);
    if (!done) {
      return handOver.notLeased(channel, p);
    }
    return afterClose(channel);
  }

  /** A release after close() of a pool with Netty's FixedChannelPool lifecycle: the channel closes. */
  RuntimeException afterClose(Channel channel) {
    if (!closed || reusableAfterClose) {
      return null;
    }
    channel.close();
    return closedError();
  }

  private IllegalStateException closedError() {
    return new PoolClosedException(pool.config().name());
  }

  // ------------------------------------------------------------- lifecycle

  /**
   * Closes idle channels and returns, as Netty's pools do; see the class comment for what happens to
   * leased ones. Waits for the idle channels to close, except on an event loop thread, where waiting
   * could block the very close it waits for (netty/netty#8238).
   */
  @Override
  public void close() {
    Future<Void> f = closeAsync();
    if (ThreadExecutorMap.currentExecutor() == null) {
      f.awaitUninterruptibly();
    }
  }

  /**
   * Closes without blocking: idle channels now; see the class comment for leased ones. {@link
   * #leases()}{@code .closeAsync()} completes when the last channel has closed.
   *
   * @return completes when the channels that were idle have closed
   */
  public Future<Void> closeAsync() {
    CompletableFuture<Void> idleClosed;
    if (reusableAfterClose) {
      idleClosed = transport.closeIdle();
    } else {
      closed = true;
      if (discovery != null) {
        discovery.close();
      }
      pool.closeAsync();
      idleClosed = transport.closeIdle();
    }
    Promise<Void> p = ImmediateEventExecutor.INSTANCE.newPromise();
    idleClosed.whenComplete((v, e) -> p.trySuccess(null));
    return p;
  }

  /**
   * {@return channels acquired and not yet released, connects for acquires included; 0 once closed, as
   * {@code FixedChannelPool}}
   */
  public int acquiredChannelCount() {
    if (closed) {
      return 0;
    }
    PoolStats s = pool.stats();
    return s.leased() + s.connecting();
  }

  // ------------------------------------------------------------- accessors

  /**
   * {@return the DNS discovery that feeds this pool its servers, started because the config's {@link
   * PoolConfig#discovery()} is on (its meters: {@code discovery().meters().bindTo(registry)}); null
   * when the servers are a fixed list}
   */
  public DnsDiscovery discovery() {
    return discovery;
  }

  /** {@return the pool's copy of the bootstrap} */
  public Bootstrap bootstrap() {
    return bootstrap;
  }

  /** {@return the handler given at construction} */
  public ChannelPoolHandler handler() {
    return handler;
  }

  /** {@return the health checker run on acquire (and on release if {@link #releaseHealthCheck()})} */
  public ChannelHealthChecker healthChecker() {
    return healthCheck;
  }

  /** {@return whether released channels are health-checked} */
  public boolean releaseHealthCheck() {
    return releaseHealthCheck;
  }

  /**
   * Sets a server to {@link ServerState#DRAIN}, {@link ServerState#MAINT} or back to {@link
   * ServerState#UP}; see {@link ConnectionPool#setServerState}.
   *
   * @param server the server's name, as configured
   * @param state the state to set
   */
  public void setServerState(String server, ServerState state) {
    pool.setServerState(server, state);
  }

  /**
   * Adds a server at runtime; see {@link ConnectionPool#addServer}.
   *
   * @param server the server, under a name new to the pool
   */
  public void addServer(Endpoint server) {
    pool.addServer(server);
  }

  /**
   * Removes a server without cutting a request; see {@link ConnectionPool#removeServer}.
   *
   * @param server the server's name
   * @return completes when the server's last channel has closed and it has left the pool
   */
  public CompletableFuture<Void> removeServer(String server) {
    return pool.removeServer(server);
  }

  /**
   * Makes the pool's servers exactly {@code servers}; see {@link ConnectionPool#updateServers}.
   *
   * @param servers the complete set, names unique
   * @return what changed
   */
  public MembershipChange updateServers(Collection<Endpoint> servers) {
    return pool.updateServers(servers);
  }

  /**
   * The engine under this adapter, for leases with more control than a channel gives: {@link
   * io.tether.pool.Lease#capIdleTime}, {@link io.tether.pool.Lease#invalidate} with a cause, {@link
   * ConnectionPool#acquireFresh()}. Its leases bypass {@link ChannelPoolHandler} callbacks.
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

  @Override
  public String toString() {
    return "TetherChannelPool{" + pool.stats() + "}";
  }

  /**
   * Options beyond the constructors, with Tether's defaults; the shared ones ({@code config}, {@code
   * listener}, {@code metrics}, {@code ticker}, {@code healthProbe}) are {@link AdapterBuilder}'s. A
   * config that names no server makes the bootstrap's remote address the one server (unless {@link
   * #dynamicServers()} or DNS discovery). Not thread-safe.
   */
  public static final class Builder extends AdapterBuilder<Builder> {
    private final Bootstrap bootstrap;
    private ChannelPoolHandler handler = new AbstractChannelPoolHandler() {
      @Override
      public void channelCreated(Channel ch) {}
    };
    private ChannelHealthChecker healthCheck = ChannelHealthChecker.ACTIVE;
    private boolean releaseHealthCheck = true;
    private EventExecutor executor;
    private Tls tls;
    private boolean dynamicServers;

    private Builder(Bootstrap bootstrap) {
      this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
    }

    /**
     * Called as channels are created, acquired and released; default does nothing.
     *
     * @param value the handler
     * @return this builder
     */
    public Builder handler(ChannelPoolHandler value) {
      this.handler = Objects.requireNonNull(value, "handler");
      return this;
    }

    /**
     * Checks an idle channel on the event loop before it is handed out; default {@link
     * ChannelHealthChecker#ACTIVE}.
     *
     * @param value the checker
     * @return this builder
     */
    public Builder healthChecker(ChannelHealthChecker value) {
      this.healthCheck = Objects.requireNonNull(value, "healthCheck");
      return this;
    }

    /**
     * Whether a released channel is health-checked too; default true.
     *
     * @param value whether to check on release
     * @return this builder
     */
    public Builder releaseHealthCheck(boolean value) {
      this.releaseHealthCheck = value;
      return this;
    }

    /**
     * Starts the pool with the configuration's servers only, none of them from the bootstrap's remote
     * address: servers then come and go at runtime ({@link TetherChannelPool#addServer}, {@link
     * TetherChannelPool#updateServers}, {@code DnsDiscovery}); until one is added,
     * acquires fail with {@link io.tether.pool.EndpointDownException}.
     *
     * @return this builder
     */
    public Builder dynamicServers() {
      this.dynamicServers = true;
      return this;
    }

    /**
     * TLS for every connection (health checks use it with {@code check.ssl}); default none.
     *
     * @param value the TLS settings
     * @return this builder
     */
    public Builder tls(Tls value) {
      this.tls = Objects.requireNonNull(value, "tls");
      return this;
    }

    /**
     * Where the pool's timed work runs and waiting acquires' futures notify; default the bootstrap
     * group's first {@code next()}.
     *
     * @param value the executor
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
