package io.tether.pool.internal;

import io.tether.pool.CloseCause;
import io.tether.pool.ConnectionPool;
import io.tether.pool.Endpoint;
import io.tether.pool.EndpointDownException;
import io.tether.pool.Lease;
import io.tether.pool.MembershipChange;
import io.tether.pool.PoolClosedException;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolListener;
import io.tether.pool.PoolStats;
import io.tether.pool.ServerState;
import io.tether.pool.StaleLeaseException;
import io.tether.pool.metrics.PoolMetricsRecorder;
import io.tether.pool.spi.Connector;
import io.tether.pool.spi.HealthProbe;
import io.tether.pool.spi.LogSink;
import io.tether.pool.spi.Scheduler;
import io.tether.pool.spi.Ticker;
import io.tether.pool.spi.TransportPool;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.DoubleSupplier;

/**
 * The pool: the public façade, the lease hot path and the release path, over one {@link ServerPool} per
 * server. Its collaborators each own one concern: {@link Membership} (the server set, and finding an idle
 * connection among its servers), {@link Servers} (runtime membership changes), {@link Waiting} (acquires
 * that wait), {@link Connects} (opening connections, the connection count), {@link Affinity} (session
 * keys), {@link Maintenance} (sweeps and leak scans), {@link ServerStates} (health and admin state, the
 * checkers), {@link Closing} (closes of connections and of the pool), {@link Reconfiguration} (settings
 * on a live pool), {@link TransportSide} (the pool as transport adapters see it), {@link Tasks} (timed
 * work on the scheduler). See {@link PooledConnection} for the connection state machine and {@link
 * ServerPool} for the locking; {@link Invariants} checks the whole for tests.
 *
 * <p>Every lease reads the clock once: a connection within the hand-out margin of its idle deadline or
 * lifetime is closed instead of handed out, however late the sweep is.
 */
final class PoolEngine<C> implements ConnectionPool<C> {
  final String name;
  volatile PoolConfig config;
  final Connector<C> connector;
  final Ticker ticker;
  final PoolListener listener;
  final PoolMetricsRecorder recorder;
  final LogSink log;
  final DoubleSupplier random;
  private final HealthProbe probe;
  private final boolean tracksActivity;
  private final boolean wantsIdleAges;
  /** Misuse of a lease throws when leak detection is on or assertions are enabled. */
  private final boolean strict;

  /** Eviction settings in force, in nanoseconds; replaced whole by {@link #reconfigure}. */
  volatile Deadlines deadlines;

  final Tasks tasks;
  final Membership<C> members = new Membership<>();
  final ServerStates<C> states;
  final Balancer balancer;
  final Waiting<C> waiting;
  final Connects<C> connects;
  final Affinity<C> affinity;
  final Maintenance<C> maintenance;
  final Servers<C> servers;
  final Rebalancer<C> rebalancer;

  final Closing<C> closing;
  private final TransportSide<C> transportSide = new TransportSide<>(this);

  /** Set once, by {@link Closing#closeAsync} under this engine's monitor. */
  volatile boolean closed;

  PoolEngine(PoolConfig config, Connector<C> connector, Scheduler scheduler, Ticker ticker,
      PoolListener listener, PoolMetricsRecorder recorder, DoubleSupplier random, HealthProbe probe, LogSink log) {
    this.config = config;
    this.name = config.name();
    this.connector = connector;
    this.ticker = ticker;
    this.log = log;
    this.listener = new LogListener(name, listener, log);
    this.recorder = recorder;
    this.random = random;
    this.probe = probe;
    this.deadlines = Deadlines.of(config);
    this.tracksActivity = connector.tracksActivity();
    this.wantsIdleAges = recorder.wantsIdleAges();
    boolean assertions = false;
    assert assertions = true;
    this.strict = assertions || !config.leakDetectionThreshold().isZero();
    this.tasks = new Tasks(scheduler);
    this.states = new ServerStates<>(this, config.onMarkedDown(), config.onMarkedUp(), config.observe(),
        config.errorLimit());
    this.balancer = new Balancer(config.balance(), sp -> weightOf((ServerPool<?>) sp));
    this.waiting = new Waiting<>(this);
    this.connects = new Connects<>(this, config.maxConnections());
    this.affinity = new Affinity<>(this, config.affinityMaxKeys(), config.affinityIdleTimeout().toNanos());
    this.maintenance = new Maintenance<>(this, config.leakDetectionThreshold().toNanos());
    this.servers = new Servers<>(this);
    this.rebalancer = new Rebalancer<>(this);
    this.closing = new Closing<>(this);
    recorder.poolStarted(name, this::stats);
    servers.joinAll(config.servers(), false);
    if (config.healthCheck().enabled()) {
      Objects.requireNonNull(probe, "health checks are on but there is no HealthProbe");
    }
    startCheckers();
    if (config.minIdle() > 0) { // on the scheduler, so no connect starts before the constructor returns
      tasks.schedule(connects::warmUpAll, 0, false, rejected -> { });
    }
  }

  /** The weight new connections see: see {@link Servers#weightOf}. */
  int weightOf(ServerPool<?> sp) {
    return servers.weightOf(sp);
  }

  /** Starts a checker for every checked server that has none, when checks are on. */
  void startCheckers() {
    if (config.healthCheck().enabled()) {
      states.startCheckers(config.healthCheck(), probe);
    }
  }

  boolean isClosed() {
    return closed;
  }

  // ================================================================ leasing: the hot path

  /**
   * Whether a just-claimed idle connection may be handed out: its transport is alive and it is not
   * within the hand-out margin of its idle deadline or its lifetime ({@code evictAt} already has the
   * margin taken off).
   */
  boolean usable(PooledConnection<C> c, long now) {
    return c.evictAt > now && c.lifetimeDeadline - deadlines.handoutMarginNanos() > now
        && connector.isAlive(c.connection());
  }

  /** A lease starts, before its holder can see the connection: its number, the transport's hook, leaks. */
  void beginLease(PooledConnection<C> c, long now) {
    beginLease(c, now, null);
  }

  /**
   * As above; {@code site} is the application's acquire stack taken when the acquire had to wait (null:
   * the lease starts on the acquiring thread, whose stack is taken here when leak detection is on).
   */
  void beginLease(PooledConnection<C> c, long now, Throwable site) {
    c.beginLease();
    if (!c.used) { // from now on HAProxy's keep-alive timeout applies to it, no longer http-request
      c.used = true;
      c.idleBudget = deadlines.idleBudget(c.idleDraw, c.capNanos, true);
    }
    connector.leased(c.connection());
    maintenance.trackLease(c, now, site);
  }

  /** A lease was handed over: listeners and metrics. */
  void leaseReported(PooledConnection<C> c, long now, long waitNanos) {
    listener.acquired(c.server.endpoint);
    if (wantsIdleAges) {
      recorder.recordAcquire(c.server.endpoint, waitNanos, c.reused ? Math.max(0, now - c.lastActivity) : -1);
    }
  }

  PooledConnection<C> leaseNow(PooledConnection<C> c, long now) {
    if (c != null) {
      beginLease(c, now);
      leaseReported(c, now, 0);
    }
    return c;
  }

  void checkOpen() {
    if (closed) {
      throw new PoolClosedException(name);
    }
  }

  @Override
  public Lease<C> tryAcquire() {
    checkOpen();
    long now = ticker.read();
    PooledConnection<C> c = leaseNow(members.pollAnyIdle(now), now);
    return c == null ? null : new LeaseHandle<>(c);
  }

  @Override
  public Lease<C> tryAcquireByKey(Object key) {
    PooledConnection<C> c = leaseByKey(key);
    return c == null ? null : new LeaseHandle<>(c);
  }

  /**
   * The keyed lease, kept out of {@link #tryAcquireByKey} so that method stays small enough for the JIT
   * to inline into its caller, where the lease handle is then scalar-replaced: with the key lookup
   * inline it compiled too big to inline, and every keyed lease allocated its 24-byte handle.
   */
  private PooledConnection<C> leaseByKey(Object key) {
    Objects.requireNonNull(key, "key");
    checkOpen();
    long now = ticker.read();
    return leaseNow(affinity.pinnedIdle(key, now), now);
  }

  @Override
  public CompletableFuture<Lease<C>> acquire() {
    return cast(acquire0(null, null, false, true));
  }

  @Override
  public CompletableFuture<Lease<C>> acquire(Endpoint server) {
    return cast(acquire0(serverOf(server), null, false, true));
  }

  @Override
  public CompletableFuture<Lease<C>> acquireFresh() {
    return cast(acquire0(null, null, true, true));
  }

  @Override
  public CompletableFuture<Lease<C>> acquireFresh(Endpoint avoid) {
    if (closed) {
      return CompletableFuture.failedFuture(new PoolClosedException(name));
    }
    return cast(waiting.enqueue(null, true, null, avoid == null ? null : serverOf(avoid), true));
  }

  @Override
  public CompletableFuture<Lease<C>> acquireByKey(Object key) {
    return cast(acquire0(null, Objects.requireNonNull(key, "key"), false, true));
  }

  @Override
  public CompletableFuture<Lease<C>> acquireFreshByKey(Object key) {
    return cast(acquire0(null, Objects.requireNonNull(key, "key"), true, true));
  }

  @SuppressWarnings("unchecked")
  private static <T> CompletableFuture<T> cast(CompletableFuture<?> f) {
    return (CompletableFuture<T>) f;
  }

  private ServerPool<C> serverOf(Endpoint server) {
    ServerPool<C> sp = members.get(server.name());
    if (sp == null || !sp.endpoint.equals(server)) {
      throw new IllegalArgumentException("pool " + name + " has no server " + server);
    }
    return sp;
  }

  CompletableFuture<Object> acquire0(ServerPool<C> target, Object key, boolean fresh, boolean handle) {
    if (closed) {
      return CompletableFuture.failedFuture(new PoolClosedException(name));
    }
    if (target != null && target.state != ServerState.UP) {
      return CompletableFuture.failedFuture(
          new EndpointDownException(name, target.endpoint.name(), "state " + target.state));
    }
    if (!fresh) {
      long now = ticker.read();
      PooledConnection<C> c = key != null ? affinity.pinnedIdle(key, now)
          : target == null ? members.pollAnyIdle(now) : target.pollIdle(now);
      if (c != null) {
        leaseNow(c, now);
        return CompletableFuture.completedFuture(handle ? new LeaseHandle<>(c) : c);
      }
    }
    if (key != null) {
      target = affinity.pinnedServer(key, null);
      if (target == null && !members.isEmpty()) {
        return CompletableFuture.failedFuture(new EndpointDownException(name, null, null));
      }
      // No server at all: the acquire waits for one unbound, and the key is pinned where it is served.
    }
    return waiting.enqueue(target, fresh, key, null, handle);
  }

  // ================================================================ release

  /**
   * A release through a {@link LeaseHandle} (already checked current) or the transport path. Returns
   * false if the connection was not leased: released already, or closed by the pool under its holder and
   * released before.
   */
  boolean release(PooledConnection<C> c) {
    // A lifetime ends by the clock, not by the sweep: a late sweep never lets an old connection back in.
    CloseCause retire = c.retire;
    boolean expired = retire != null || (c.lifetimeDeadline != Long.MAX_VALUE
        && c.lifetimeDeadline - deadlines.handoutMarginNanos() <= ticker.read());
    if (expired && c.server.beginCloseLeased(c, retire != null ? retire : CloseCause.LIFETIME_EXPIRED)) {
      finishClose(c, null);
      return true;
    }
    return returnIdle(c, true) || closedUnderItsHolder(c);
  }

  /** A release of a connection the pool closed while it was leased is the holder's one release: fine. */
  boolean closedUnderItsHolder(PooledConnection<C> c) {
    return c != null && c.state() >= PooledConnection.CLOSING && c.closedWhileLeased && c.releaseAfterClose();
  }

  /** A lease used after it ended: nothing was done; say so. */
  void misuse(LeaseHandle<C> lease, String what) {
    StaleLeaseException e = new StaleLeaseException(name, what, lease.toString());
    if (strict) {
      throw e;
    }
    log.warn(e.getMessage(), null);
  }

  /** LEASED to IDLE and into the idle set; the hot path of every release. False if it was not leased. */
  boolean returnIdle(PooledConnection<C> c, boolean userRelease) {
    ServerPool<C> sp = c.server;
    long last;
    if (tracksActivity) {
      last = c.lastActivity;
    } else {
      last = ticker.read();
      c.lastActivity = last;
    }
    long evictAt = last + c.idleBudget;
    c.evictAt = evictAt;
    c.reused = true;
    boolean stillInSlot;
    while (true) {
      int s = c.state();
      if (s == PooledConnection.LEASED_HOT) {
        if (sp.adoptIntoOwnStripe(c)) {
          continue; // now a plain lease, linked below into this thread's slot
        }
        if (c.casState(PooledConnection.LEASED_HOT, PooledConnection.IDLE)) {
          stillInSlot = true;
          break;
        }
      } else if (s == PooledConnection.LEASED) {
        if (c.casState(PooledConnection.LEASED, PooledConnection.IDLE)) {
          stillInSlot = false;
          break;
        }
      } else {
        return false; // not leased: released already, or the pool closed it meanwhile
      }
    }
    if (userRelease) {
      listener.released(sp.endpoint);
      if (states.observing() && sp.health.observedErrors != 0) {
        states.observe(sp, true);
      }
    }
    if (!stillInSlot) {
      sp.linkIdle(c);
    }
    if (evictAt < maintenance.nextSweepAt()) {
      maintenance.requestSweep(evictAt);
    }
    // Read after linking, so either a closer or a queued acquire sees our connection, or we see them.
    if (sp.releaseMode != ServerPool.REUSE) {
      closeIdle(sp);
    } else if (userRelease && waiting.queue.size != 0) {
      waiting.dispatch();
    }
    return true;
  }

  private void closeIdle(ServerPool<C> sp) {
    List<PooledConnection<C>> out = new ArrayList<>();
    sp.closeAllIdle(sp.releaseMode == ServerPool.CLOSE_POOL ? CloseCause.POOL_CLOSED : CloseCause.ENDPOINT_DOWN, out);
    out.forEach(x -> finishClose(x, null));
  }

  void invalidate(PooledConnection<C> c, CloseCause cause, Throwable detail) {
    if (c.server.beginCloseLeased(c, cause)) {
      // The holder ended its lease by closing: it owes no release, and a later one is a second release.
      c.releaseAfterClose();
      finishClose(c, detail);
      if (cause == CloseCause.PEER_RESET) {
        states.observe(c.server, false);
      }
    }
  }

  // ================================================================ closes

  /** The I/O half of a close, outside every lock: close the transport, report, free the room. */
  void finishClose(PooledConnection<C> c, Throwable detail) {
    closing.finish(c, detail, null);
  }

  /** Asks the transport to close {@code conn}; {@code closeAsync} waits until every such close completed. */
  CompletableFuture<Void> closeTransport(C conn, CloseCause cause) {
    return closing.closeTransport(conn, cause);
  }

  /** Completes the close future once nothing is open, connecting or still closing in the transport. */
  boolean checkClosed() {
    return closing.check();
  }

  // ================================================================ servers

  @Override
  public void setServerState(String server, ServerState state) {
    ServerPool<C> sp = members.get(server);
    if (sp == null) {
      throw new IllegalArgumentException("pool " + name + " has no server named " + server);
    }
    states.setAdmin(sp, state);
  }

  @Override
  public void addServer(Endpoint server) {
    servers.add(server);
  }

  @Override
  public CompletableFuture<Void> removeServer(String server) {
    return servers.remove(server);
  }

  @Override
  public void setServerWeight(String server, int weight) {
    servers.setWeight(server, weight);
  }

  @Override
  public MembershipChange updateServers(Collection<Endpoint> next) {
    return servers.update(next);
  }

  // ================================================================ maintenance hooks for tests

  long maintain(long now) {
    return maintenance.maintain(now);
  }

  // ================================================================ reconfigure, stats, close

  @Override
  public synchronized void reconfigure(PoolConfig next) {
    if (closed) {
      throw new PoolClosedException(name);
    }
    Reconfiguration.apply(this, next, probe);
  }

  @Override
  public CompletableFuture<Void> closeAsync() {
    return closing.closeAsync();
  }

  /** The transport's {@code closeIdle}: see {@link Closing#closeIdle()}. */
  CompletableFuture<Void> closeIdle() {
    return closing.closeIdle();
  }

  @Override
  public void close() {
    closing.close();
  }

  /** Every invariant the pool keeps, for tests: see {@link Invariants}. */
  List<String> checkInvariants() {
    return Invariants.check(this);
  }

  @Override
  public boolean owns(Lease<?> lease) {
    return lease instanceof LeaseHandle && ((LeaseHandle<?>) lease).c.server.engine == this;
  }

  @Override
  public PoolStats stats() {
    return ServerSweeps.stats(name, members.all(), waiting.queue.size, connects.limit(),
        config.maxPendingAcquires());
  }

  @Override
  public PoolConfig config() {
    return config;
  }

  @Override
  public TransportPool<C> transport() {
    return transportSide;
  }

  @Override
  public String toString() {
    return "ConnectionPool{" + name + ", " + stats() + "}";
  }
}
