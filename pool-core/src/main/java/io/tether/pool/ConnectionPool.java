package io.tether.pool;

import io.tether.pool.spi.Ticker;
import io.tether.pool.spi.Scheduler;
import io.tether.pool.spi.HealthProbe;
import io.tether.pool.spi.Connector;
import io.tether.pool.internal.Engines;
import io.tether.pool.spi.LogSink;
import io.tether.pool.spi.TransportPool;
import io.tether.pool.metrics.PoolMetricsRecorder;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A pool of connections of type {@code C} to one or more servers, which closes idle connections before
 * the load balancer in front of them would.
 *
 * <p>Thread-safety: every method may be called from any thread. An acquire that finds an idle
 * connection completes on the calling thread without taking a lock, allocating, or hopping to another
 * thread. An acquire that must wait completes on the thread that frees a connection (a releasing
 * thread, or the transport's I/O thread when a new connection opens), or on the {@link Scheduler} when
 * it times out; keep callbacks short, or hop to your own executor.
 *
 * @param <C> the transport's connection type
 */
public interface ConnectionPool<C> extends AutoCloseable {

  /**
   * Starts building a pool whose connections {@code connector} opens.
   *
   * @param <C> the connection type
   * @param connector opens and closes connections
    * @return a builder
   */
  static <C> Builder<C> builder(Connector<C> connector) {
    return new Builder<>(connector);
  }

  /**
   * Leases an idle connection if one is ready now, else returns null at once (nothing is queued, no
   * connection is opened). Allocates nothing.
   *
   * @return a lease, or null if no idle connection is ready
   * @throws PoolClosedException if the pool is closed
   */
  Lease<C> tryAcquire();

  /**
   * Leases a connection to any server that is up: an idle one if ready, else a new one if the limits
   * allow, else the next one released. Fails with {@link AcquireTimeoutException} after {@link
   * PoolConfig#acquireTimeout()}, {@link PendingAcquireLimitException} at once if too many acquires
   * are waiting, {@link ConnectFailedException} if the connection opened for it fails, or {@link
   * PoolClosedException}. Cancelling the future withdraws the acquire.
   *
   * @return a future of the lease, completed on the thread that makes it available
   */
  CompletableFuture<Lease<C>> acquire();

  /**
   * As {@link #acquire()}, but only a connection to {@code server}, which must be one of the pool's.
   *
   * @param server the server, equal to one of the pool's endpoints (name and address)
   * @return a future of the lease, completed on the thread that makes it available
   */
  CompletableFuture<Lease<C>> acquire(Endpoint server);

  /**
   * Leases a newly opened connection, never an idle one: for retrying a request that failed on a stale
   * connection, when other idle connections may be just as stale. If the pool is full, an idle
   * connection is closed to make room; otherwise it waits like {@link #acquire()}.
   *
   * @return a future of the lease on a new connection
   */
  CompletableFuture<Lease<C>> acquireFresh();

  /**
   * As {@link #acquireFresh()}, on a server other than {@code avoid} if another is up: for retrying a
   * request whose connection to {@code avoid} just failed, as HAProxy's {@code option redispatch}.
   *
   * @param avoid the server to avoid
   * @return a future of the lease on a new connection
   */
  CompletableFuture<Lease<C>> acquireFresh(Endpoint avoid);

  /**
   * Leases a connection for a session identified by {@code key}, HAProxy's {@code prefer-last-server}
   * on the client side: the connection this key used last if it is idle, else another connection to the
   * same server, else a new one there. If that server is down, draining or in maintenance, the key is
   * redispatched to another server (by the {@link PoolConfig#balance()} rule) and pinned to it. Keys are
   * compared with {@code equals}; see {@link PoolConfig#affinityMaxKeys()} for the memory bound.
   *
   * @param key the session key, compared with {@code equals}
   * @return a future of the lease
   */
  CompletableFuture<Lease<C>> acquireByKey(Object key);

  /**
   * A newly opened connection for {@code key}'s session: as {@link #acquireFresh()}, on the server the
   * key is pinned to (or is redispatched to if that server is not up).
   *
   * @param key the session key, compared with {@code equals}
   * @return a future of the lease on a new connection
   */
  CompletableFuture<Lease<C>> acquireFreshByKey(Object key);

  /**
   * As {@link #acquireByKey}, but only if an idle connection to the key's server is ready now; else
   * null. Allocates nothing when the key's server is known.
   *
   * @param key the session key, compared with {@code equals}
   * @return a lease, or null if no idle connection to the key's server is ready
   */
  Lease<C> tryAcquireByKey(Object key);

  /**
   * Sets a server's administrative state at runtime, as HAProxy's {@code set server ... state}: {@link
   * ServerState#DRAIN} (no new leases; idle connections close now, leased ones when released), {@link
   * ServerState#MAINT} (its connections are shut down and checks pause), or {@link ServerState#UP} to
   * make it ready again (a checked server must then pass {@code rise} checks). {@link ServerState#DOWN}
   * is decided by health checks and cannot be set.
   *
   * @param server the server's name, as configured
   * @param state the state to set
   * @throws IllegalArgumentException for an unknown server name or {@code DOWN}
   */
  void setServerState(String server, ServerState state);

  /**
   * Adds a server to a live pool, as HAProxy's runtime {@code add server}: new connections may go to it
   * at once (checked first when the pool checks servers; ramped up over {@code slow-start} when set).
   * Costs a copy of the server list; the lease path takes no lock for it. Thread-safe.
   *
   * @param server the server; its name must not be in the pool, nor still leaving it
   * @throws IllegalArgumentException if a server of that name is in the pool or still leaving it
   * @throws PoolClosedException if the pool is closed
   */
  void addServer(Endpoint server);

  /**
   * Removes a server without cutting a request, as HAProxy's {@code set server ... state drain} then
   * {@code del server}: it takes no new connection, its idle connections close now and leased ones when
   * released, acquires waiting for it by key move to their next server (bound ones fail). It leaves the
   * pool's server list, stats and meters when its last connection has closed. Thread-safe.
   *
   * @param server the server's name
   * @return completes when the server has left the pool (at once if it had no connection)
   * @throws IllegalArgumentException for an unknown server name
   */
  CompletableFuture<Void> removeServer(String server);

  /**
   * Sets a server's weight at runtime, as HAProxy's {@code set server ... weight}: new connections and
   * unkeyed leases follow it from now on; 0 takes it out of the rotation without draining it.
   *
   * @param server the server's name
   * @param weight 0 to 256
   * @throws IllegalArgumentException for an unknown server name or a weight outside 0-256
   */
  void setServerWeight(String server, int weight);

  /**
   * Makes the pool's servers exactly {@code servers}, matched by name: what a membership source (DNS,
   * a registry) pushes. Servers not in the pool are added, servers missing from {@code servers} are
   * removed as {@link #removeServer} does, and changed weights are set. Costs O(servers given) plus a
   * copy of the list per change. A server whose address changed under the same name is refused: give
   * the new address a new name.
   *
   * @param servers the complete set; names unique
   * @return the changes made: servers added, removed and re-weighted, by name
   * @throws IllegalArgumentException if a name repeats, a name's address changed, or a name is still
   *     leaving the pool
   */
  MembershipChange updateServers(java.util.Collection<Endpoint> servers);

  /**
   * Applies new eviction settings ({@code lb-idle-timeout}, {@code evict-ratio}, {@code evict-after},
   * {@code jitter}, {@code handout-margin}, {@code max-lifetime}) and health settings ({@code check*},
   * {@code on-marked-down}, {@code observe}, {@code error-limit}) to the running pool without dropping a
   * connection: idle connections get their new deadlines at once, each keeping its own jitter draw.
   *
   * @param next the new configuration
   * @throws IllegalArgumentException naming the first other setting that differs (servers, limits,
   *     name...): those need a new pool
   * @throws IllegalStateException if checks are turned on for a pool built without a health probe
   */
  void reconfigure(PoolConfig next);

  /**
   * {@return the same pool as transport adapters use it: leases without a {@link Lease} object, released
   * by connection} For adapters (the Netty {@code ChannelPool}s); applications use this interface.
   */
  TransportPool<C> transport();

  /**
   * {@return whether {@code lease} was acquired from this pool}
   *
   * @param lease a lease
   */
  boolean owns(Lease<?> lease);

  /** {@return a point-in-time view of the pool's connections and waiting acquires} */
  PoolStats stats();

  /** {@return the configuration the pool was built with} */
  PoolConfig config();

  /**
   * Closes the pool: waiting acquires fail, idle connections close now, leased ones close as they are
   * released or when {@link PoolConfig#closeTimeout()} runs out, and every scheduled task is cancelled.
   * Never blocks; the future completes when the last connection is closed. Repeated calls return the
   * same future.
   *
   * @return completes when the last connection is closed
   */
  CompletableFuture<Void> closeAsync();

  /**
   * {@link #closeAsync()} and waits for it, at most about {@link PoolConfig#closeTimeout()}. Do not call
   * it on a thread that leased connections must be released on (such as their event loop); use {@link
   * #closeAsync()} there.
   */
  @Override
  void close();

  /**
   * Assembles a pool. The connector and a scheduler are required; the ticker defaults to the system
   * clock, the listener and metrics recorder to no-ops.
   */
  final class Builder<C> {
    private final Connector<C> connector;
    private PoolConfig config;
    private Scheduler scheduler;
    private Ticker ticker = Ticker.system();
    private boolean dynamicServers;
    private PoolListener listener = PoolListener.NONE;
    private PoolMetricsRecorder metrics = PoolMetricsRecorder.NOOP;
    private HealthProbe probe;
    private java.util.function.DoubleSupplier random = () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble();
    private LogSink log = LogSink.NONE;

    private Builder(Connector<C> connector) {
      this.connector = Objects.requireNonNull(connector, "connector");
    }

    /**
     * The configuration; it must name at least one server.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder<C> config(PoolConfig value) {
      this.config = Objects.requireNonNull(value, "config");
      return this;
    }

    /**
     * Where sweeps, timeouts and health checks run (an event loop, or an executor you own).
     *
     * @param value the new value
     * @return this builder
     */
    public Builder<C> scheduler(Scheduler value) {
      this.scheduler = Objects.requireNonNull(value, "scheduler");
      return this;
    }

    /**
     * The clock; tests pass a fake one.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder<C> ticker(Ticker value) {
      this.ticker = Objects.requireNonNull(value, "ticker");
      return this;
    }

    /**
     * Receives lifecycle events; see {@link PoolListener} for its contract.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder<C> listener(PoolListener value) {
      this.listener = Objects.requireNonNull(value, "listener");
      return this;
    }

    /**
     * Receives measurements; see {@code io.tether.pool.metrics.micrometer} for Micrometer.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder<C> metrics(PoolMetricsRecorder value) {
      this.metrics = Objects.requireNonNull(value, "metrics");
      return this;
    }

    /**
     * The random source for jitter draws; default {@code ThreadLocalRandom}. A seeded source makes a
     * pool's deadlines reproducible (the fuzzer replays runs from a seed this way).
     *
     * @param value uniform draws in [0, 1)
     * @return this builder
     */
    public Builder<C> random(java.util.function.DoubleSupplier value) {
      this.random = Objects.requireNonNull(value, "random");
      return this;
    }

    /**
     * Where the pool logs; default nowhere. The Netty adapters log through Netty's logger factory under
     * {@code io.tether.pool.<pool name>}.
     *
     * @param value the sink
     * @return this builder
     */
    public Builder<C> log(LogSink value) {
      this.log = Objects.requireNonNull(value, "log");
      return this;
    }

    /**
     * How servers are checked when {@link HealthCheck#enabled()}; the Netty adapters set one.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder<C> healthProbe(HealthProbe value) {
      this.probe = Objects.requireNonNull(value, "probe");
      return this;
    }

    /**
     * Lets the pool start with no server: servers then come at runtime ({@link ConnectionPool#addServer},
     * {@link ConnectionPool#updateServers}, a membership source). While the pool has no server (before
     * the first joins, or after the last has left), an acquire waits for one, within {@code
     * acquire-timeout} ({@link AcquireTimeoutException} with a limit of 0 if none comes); a keyed one is
     * pinned to the server that serves it. A pool whose servers are all down fails an acquire at once
     * with {@link EndpointDownException}, as always.
     *
     * @return this builder
     */
    public Builder<C> dynamicServers() {
      this.dynamicServers = true;
      return this;
    }

    /**
     * Creates the pool. It opens no connection until the first acquire; health checks, if on, start at
     * once.
     *
     * @return the started pool
     * @throws IllegalStateException if the config or scheduler is missing or the config has no server
     *     (unless {@link #dynamicServers()} or the config's {@link PoolConfig#discovery()} is on)
     */
    public ConnectionPool<C> build() {
      if (config == null) {
        throw new IllegalStateException("config is required");
      }
      if (scheduler == null) {
        throw new IllegalStateException("scheduler is required (an event loop or Scheduler.of(executor))");
      }
      if (config.servers().isEmpty() && !dynamicServers && !config.discovery().enabled()) {
        throw new IllegalStateException(
            "pool " + config.name() + " has no server: add one with PoolConfig.Builder.server(...) "
                + "or a tether.pool.server.<name>=<host>:<port> property");
      }
      if (config.healthCheck().enabled() && probe == null) {
        throw new IllegalStateException("pool " + config.name() + " has tether.pool.check on but no HealthProbe: "
            + "set one with healthProbe(...) (the Netty adapters provide TCP and HTTP probes)");
      }
      return Engines.create(config, connector, scheduler, ticker, listener, metrics, random, probe, log);
    }
  }
}
