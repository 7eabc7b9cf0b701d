package io.tether.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.ChannelPool;
import io.netty.channel.pool.ChannelPoolHandler;
import io.netty.channel.pool.FixedChannelPool.AcquireTimeoutAction;
import io.netty.util.concurrent.EventExecutor;
import io.tether.netty.dns.DnsDiscovery;
import io.tether.netty.internal.NettyDefaults;
import io.tether.pool.ConnectionPool;
import io.tether.pool.Endpoint;
import io.tether.pool.MembershipChange;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolStats;
import io.tether.pool.ServerState;
import io.tether.pool.spi.AdapterBuilder;
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
public class TetherChannelPool extends ChannelPoolBase {

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
    super(b, reusableAfterClose);
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
    final Bootstrap bootstrap;
    ChannelPoolHandler handler = new AbstractChannelPoolHandler() {
      @Override
      public void channelCreated(Channel ch) {}
    };
    ChannelHealthChecker healthCheck = ChannelHealthChecker.ACTIVE;
    boolean releaseHealthCheck = true;
    EventExecutor executor;
    Tls tls;
    boolean dynamicServers;

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
     * TetherChannelPool#updateServers}, {@code DnsDiscovery}); until one is added, acquires wait for
     * it, within {@code acquire-timeout} (see {@code ConnectionPool.Builder.dynamicServers}).
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
