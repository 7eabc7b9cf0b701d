package io.tether.pool.internal;

import io.tether.pool.CloseCause;
import io.tether.pool.ConnectionPool;
import io.tether.pool.Endpoint;
import io.tether.pool.EndpointDownException;
import io.tether.pool.Lease;
import io.tether.pool.PoolClosedException;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolListener;
import io.tether.pool.PoolStats;
import io.tether.pool.ReuseOrder;
import io.tether.pool.ServerState;
import io.tether.pool.StaleLeaseException;
import io.tether.pool.metrics.PoolMetricsRecorder;
import io.tether.pool.spi.Connector;
import io.tether.pool.spi.HealthProbe;
import io.tether.pool.spi.LogSink;
import io.tether.pool.spi.Pooled;
import io.tether.pool.spi.Ticker;
import io.tether.pool.spi.TransportPool;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;

/**
 * The pool: the lease hot path and the release path, over one {@link ServerPool} per server. Its
 * collaborators each own one concern: {@link Waiting} (acquires that wait), {@link Connects} (opening
 * connections, the connection count), {@link Affinity} (session keys), {@link Maintenance} (sweeps and
 * leak scans), {@link ServerStates} (health and admin state), {@link Membership} (the server set),
 * {@link Tasks} (timed work on the scheduler). See {@link PooledConnection} for the connection state
 * machine and {@link ServerPool} for the locking.
 *
 * <p>Every lease reads the clock once: a connection within the hand-out margin of its idle deadline or
 * lifetime is closed instead of handed out, however late the sweep is.
 */
final class PoolEngine<C> implements ConnectionPool<C>, TransportPool<C> {
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

  private volatile boolean closed;
  private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
  /** The closes of the connections that were idle when the pool closed; null while open. */
  private volatile CompletableFuture<Void> idleClosed;
  /** Connections whose transport close was asked for and has not completed yet. */
  private final AtomicInteger transportCloses = new AtomicInteger();

  PoolEngine(PoolConfig config, Connector<C> connector, io.tether.pool.spi.Scheduler scheduler, Ticker ticker,
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
    recorder.poolStarted(name, this::stats);
    for (Endpoint e : config.servers()) {
      join(e);
    }
    if (config.healthCheck().enabled()) {
      Objects.requireNonNull(probe, "health checks are on but there is no HealthProbe");
    }
    startCheckers();
    if (config.minIdle() > 0) { // on the scheduler, so no connect starts before the constructor returns
      tasks.schedule(connects::warmUpAll, 0, false, rejected -> { });
    }
  }

  ServerPool<C> join(Endpoint e) {
    ServerPool<C> sp = new ServerPool<>(this, e, config.maxConnectionsPerServer(), config.reuseOrder() == ReuseOrder.LIFO);
    members.add(sp);
    recorder.serverAdded(e);
    states.joined(sp);
    return sp;
  }

  /** The weight new connections see: see {@link Servers#weightOf}. */
  int weightOf(ServerPool<?> sp) {
    return servers.weightOf(sp);
  }

  /** Starts a checker for every checked server that has none, when checks are on. */
  void startCheckers() {
    if (config.healthCheck().enabled()) {
      startCheckers(config.healthCheck());
    }
  }

  /**
   * Starts a checker for every checked server that has none. The first checks are spread over one
   * interval by the server's position, as HAProxy's {@code start_check_task} does.
   */
  private void startCheckers(io.tether.pool.HealthCheck hc) {
    long inter = hc.inter().toNanos();
    ServerPool<C>[] all = members.all();
    int n = 0;
    for (ServerPool<C> sp : all) {
      n += sp.endpoint.checked() ? 1 : 0;
    }
    int pos = 0;
    for (ServerPool<C> sp : all) {
      if (!sp.endpoint.checked() || sp.health.checker != null) {
        continue;
      }
      HealthChecker<C> checker = new HealthChecker<>(this, sp, probe, hc);
      sp.health.checker = checker;
      checker.start(inter * pos++ / Math.max(1, n));
    }
  }

  boolean isClosed() {
    return closed;
  }

  // ================================================================ leasing: the hot path

  /** An idle connection of any server in the rotation, leased; null if none is ready. */
  PooledConnection<C> pollAnyIdle(long now) {
    ServerPool<C>[] all = members.all();
    if (all.length == 1) {
      ServerPool<C> sp = all[0];
      return sp.balanced ? sp.pollIdle(now) : null;
    }
    // Two passes so that many servers cost one slot probe each before any full scan.
    int start = (int) ((Thread.currentThread().getId() & Integer.MAX_VALUE) % Math.max(1, all.length));
    for (int k = 0; k < all.length; k++) {
      ServerPool<C> sp = all[(start + k) % all.length];
      if (sp.balanced) {
        PooledConnection<C> c = sp.pollOwnStripe(now);
        if (c != null) {
          return c;
        }
      }
    }
    for (int k = 0; k < all.length; k++) {
      ServerPool<C> sp = all[(start + k) % all.length];
      if (sp.balanced) {
        PooledConnection<C> c = sp.pollIdle(now);
        if (c != null) {
          return c;
        }
      }
    }
    return null;
  }

  /**
   * Whether a just-claimed idle connection may be handed out: its transport is alive and it is not
   * within the hand-out margin of its idle deadline or its lifetime ({@code evictAt} already has the
   * margin taken off).
   */
  boolean usable(PooledConnection<C> c, long now) {
    return c.evictAt > now && c.lifetimeDeadline - deadlines.handoutMarginNanos() > now
        && connector.isAlive(c.connection());
  }

  /** Closes a connection claimed from the idle set that turned out unusable. */
  void discardLeased(PooledConnection<C> c, long now) {
    CloseCause cause;
    if (!connector.isAlive(c.connection())) {
      cause = CloseCause.PEER_CLOSED;
    } else if (c.lifetimeDeadline - deadlines.handoutMarginNanos() <= now) {
      cause = CloseCause.LIFETIME_EXPIRED;
    } else {
      cause = CloseCause.IDLE_EVICTED;
    }
    if (c.server.beginCloseLeased(c, cause)) {
      finishClose(c, null);
    }
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

  private PooledConnection<C> leaseNow(PooledConnection<C> c, long now) {
    if (c != null) {
      beginLease(c, now);
      leaseReported(c, now, 0);
    }
    return c;
  }

  private void checkOpen() {
    if (closed) {
      throw new PoolClosedException(name);
    }
  }

  @Override
  public Lease<C> tryAcquire() {
    checkOpen();
    long now = ticker.read();
    PooledConnection<C> c = leaseNow(pollAnyIdle(now), now);
    return c == null ? null : new LeaseHandle<>(c);
  }

  @Override
  public Pooled<C> tryLease() {
    checkOpen();
    long now = ticker.read();
    return leaseNow(pollAnyIdle(now), now);
  }

  @Override
  public Lease<C> tryAcquireByKey(Object key) {
    Objects.requireNonNull(key, "key");
    checkOpen();
    long now = ticker.read();
    PooledConnection<C> c = leaseNow(affinity.pinnedIdle(key, now), now);
    return c == null ? null : new LeaseHandle<>(c);
  }

  @Override
  public Pooled<C> tryLeaseByKey(Object key) {
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

  @Override
  public CompletableFuture<Pooled<C>> lease(Object key) {
    return cast(acquire0(null, key, false, false));
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

  private CompletableFuture<Object> acquire0(ServerPool<C> target, Object key, boolean fresh, boolean handle) {
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
          : target == null ? pollAnyIdle(now) : target.pollIdle(now);
      if (c != null) {
        leaseNow(c, now);
        return CompletableFuture.completedFuture(handle ? new LeaseHandle<>(c) : c);
      }
    }
    if (key != null) {
      target = affinity.pinnedServer(key, null);
      if (target == null) {
        return CompletableFuture.failedFuture(new EndpointDownException(name, null, null));
      }
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

  @Override
  public boolean release(Pooled<C> p) {
    PooledConnection<C> c = own(p);
    return c != null && release(c);
  }

  @Override
  public boolean invalidate(Pooled<C> p, CloseCause cause, Throwable detail) {
    PooledConnection<C> c = own(p);
    if (c == null || !PooledConnection.leased(c.state())) {
      return closedUnderItsHolder(c);
    }
    invalidate(c, cause, detail);
    return true;
  }

  @Override
  public boolean closeIfIdle(Pooled<C> p) {
    PooledConnection<C> c = own(p);
    if (c == null) {
      return false;
    }
    boolean claimed;
    synchronized (c.server) {
      claimed = c.server.beginClose(c, PooledConnection.IDLE, CloseCause.BROKEN);
    }
    if (claimed) {
      finishClose(c, null);
    }
    return claimed;
  }

  /** A release of a connection the pool closed while it was leased is the holder's one release: fine. */
  private boolean closedUnderItsHolder(PooledConnection<C> c) {
    return c != null && c.state() >= PooledConnection.CLOSING && c.closedWhileLeased && c.releaseAfterClose();
  }

  @SuppressWarnings("unchecked")
  private PooledConnection<C> own(Pooled<C> p) {
    return p instanceof PooledConnection && ((PooledConnection<?>) p).server.engine == this ? (PooledConnection<C>) p
        : null;
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
      if (sp.health.observedErrors != 0) {
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
      finishClose(c, detail);
      if (cause == CloseCause.PEER_RESET) {
        states.observe(c.server, false);
      }
    }
  }

  // ================================================================ signals from the transport

  void peerClosed(PooledConnection<C> c, boolean reset) {
    if (c.state() == PooledConnection.NEW) {
      return; // seen by the connect's completion
    }
    boolean wasLeased = PooledConnection.leased(c.state());
    if (c.server.beginCloseOpen(c, reset ? CloseCause.PEER_RESET : CloseCause.PEER_CLOSED)) {
      finishClose(c, null);
      if (reset && wasLeased) {
        states.observe(c.server, false);
      }
    }
  }

  void closedLocally(PooledConnection<C> c) {
    if (c.state() == PooledConnection.NEW) {
      return; // the connect fails or the connection is found dead at once
    }
    if (c.server.beginCloseOpen(c, CloseCause.BROKEN)) {
      finishClose(c, null);
    }
  }

  /** The I/O half of a close, outside every lock: close the transport, report, free the room. */
  void finishClose(PooledConnection<C> c, Throwable detail) {
    finishClose(c, detail, null);
  }

  /** As above; {@code closes} (if not null) collects the transport's close of it. */
  private void finishClose(PooledConnection<C> c, Throwable detail, List<CompletableFuture<Void>> closes) {
    CloseCause cause = c.closeCause;
    CompletableFuture<Void> done = closeTransport(c.connection(), cause);
    if (closes != null) {
      closes.add(done);
    }
    c.setState(PooledConnection.CLOSED);
    recorder.recordClose(c.server.endpoint, cause, ticker.read() - c.openedAt, c.closedWhileLeased);
    listener.closed(c.server.endpoint, cause, detail);
    serverMaybeGone(c.server);
    connects.capacityFreed();
    connects.warmUp(c.server);
    checkClosed();
  }

  /** Asks the transport to close {@code conn}; {@code closeAsync} waits until every such close completed. */
  CompletableFuture<Void> closeTransport(C conn, CloseCause cause) {
    transportCloses.incrementAndGet();
    java.util.concurrent.CompletionStage<Void> done;
    try {
      done = connector.close(conn, cause);
    } catch (RuntimeException e) {
      done = CompletableFuture.completedFuture(null); // the contract forbids throwing; count it closed
    }
    CompletableFuture<Void> closed = new CompletableFuture<>();
    done.whenComplete((v, e) -> {
      transportCloses.decrementAndGet();
      checkClosed();
      closed.complete(null);
    });
    return closed;
  }

  // ================================================================ servers

  /** A server came (back) into the rotation: waiting acquires may use it. */
  void serverUp(ServerPool<C> sp) {
    waiting.dispatch();
    connects.capacityFreed();
    connects.warmUp(sp);
    rebalancer.kick();
  }

  void serverLeft(ServerPool<C> sp, EndpointDownException why) {
    waiting.serverLeft(sp, why);
    serverMaybeGone(sp);
  }

  /** A server being removed leaves the set when its last connection is gone. */
  void serverMaybeGone(ServerPool<C> sp) {
    if (sp.health.removing && sp.totalLocked() == 0 && members.drop(sp)) {
      servers.left(sp);
    }
  }


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
  public io.tether.pool.MembershipChange updateServers(java.util.Collection<Endpoint> next) {
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
    // Which keys may change live is part of each key's declaration (Keys); servers change through
    // membership, not here.
    for (String key : config.differences(next)) {
      io.tether.pool.internal.config.Key<?> k = key.startsWith(PoolConfig.PREFIX)
          ? io.tether.pool.internal.config.Keys.find(key.substring(PoolConfig.PREFIX.length())) : null;
      boolean live = k != null ? k.live() : key.endsWith("check.http-header.*");
      if (!live) {
        throw new IllegalArgumentException(key + " cannot change on a live pool (" + config.describe(key) + " -> "
            + next.describe(key) + "); only eviction and health settings can: build a new pool for the rest");
      }
    }
    if (next.healthCheck().enabled() && probe == null) {
      throw new IllegalStateException("pool " + name + " was built without a HealthProbe: checks cannot be turned on");
    }
    config = next;
    Deadlines d = Deadlines.of(next);
    deadlines = d;
    long earliest = Long.MAX_VALUE;
    for (ServerPool<C> sp : members.all()) {
      earliest = Math.min(earliest, sp.reconfigure(d));
    }
    states.configure(next.onMarkedDown(), next.onMarkedUp(), next.observe(), next.errorLimit());
    for (ServerPool<C> sp : members.all()) {
      HealthChecker<C> checker = sp.health.checker;
      if (next.healthCheck().enabled()) {
        if (checker != null) {
          checker.configure(next.healthCheck());
        }
      } else if (checker != null) {
        checker.stop();
        sp.health.checker = null;
        states.setHealth(sp, ServerStates.Health.UP, "health checks turned off");
      }
    }
    if (next.healthCheck().enabled()) {
      startCheckers(next.healthCheck()); // for servers that had none: they start as HAProxy's do
    }
    if (earliest != Long.MAX_VALUE) {
      maintenance.requestSweep(earliest);
    }
  }

  @Override
  public boolean owns(Lease<?> lease) {
    return lease instanceof LeaseHandle && ((LeaseHandle<?>) lease).c.server.engine == this;
  }

  @Override
  public PoolStats stats() {
    ServerPool<C>[] all = members.all();
    List<PoolStats.Server> list = new ArrayList<>(all.length);
    int idle = 0;
    int leased = 0;
    int connecting = 0;
    for (ServerPool<C> sp : all) {
      PoolStats.Server s = sp.snapshot();
      list.add(s);
      idle += s.idle();
      leased += s.leased();
      connecting += s.connecting();
    }
    return new PoolStats(name, idle, leased, connecting, waiting.queue.size, connects.limit(),
        config.maxPendingAcquires(), list);
  }

  @Override
  public PoolConfig config() {
    return config;
  }

  @Override
  public ConnectionPool<C> pool() {
    return this;
  }

  @Override
  public TransportPool<C> transport() {
    return this;
  }

  @Override
  public CompletableFuture<Void> closeAsync() {
    synchronized (this) {
      if (closed) {
        return closeFuture;
      }
      closed = true;
    }
    for (ServerPool<C> sp : members.all()) {
      sp.releaseMode = ServerPool.CLOSE_POOL;
    }
    waiting.closeAll();
    idleClosed = closeIdle(CloseCause.POOL_CLOSED);
    tasks.closing();
    if (!checkClosed() && !config.closeTimeout().equals(PoolConfig.NO_LIMIT)) {
      tasks.schedule(this::forceCloseLeased, config.closeTimeout().toNanos(), true, rejected -> forceCloseLeased());
    }
    return closeFuture;
  }

  /** Closes every idle connection now; completes when the transport closed them all. */
  private CompletableFuture<Void> closeIdle(CloseCause cause) {
    List<PooledConnection<C>> out = new ArrayList<>();
    for (ServerPool<C> sp : members.all()) {
      sp.closeAllIdle(cause, out);
    }
    List<CompletableFuture<Void>> closes = new ArrayList<>(out.size());
    out.forEach(c -> finishClose(c, null, closes));
    return CompletableFuture.allOf(closes.toArray(new CompletableFuture<?>[0]));
  }

  @Override
  public CompletableFuture<Void> closeIdle() {
    CompletableFuture<Void> f = idleClosed;
    return f != null ? f : closeIdle(CloseCause.IDLE_EVICTED);
  }

  private void forceCloseLeased() {
    List<PooledConnection<C>> out = new ArrayList<>();
    for (ServerPool<C> sp : members.all()) {
      sp.closeAllLeased(CloseCause.POOL_CLOSED, out);
    }
    out.forEach(c -> finishClose(c, null));
    checkClosed();
  }

  /** Completes the close future once nothing is open, connecting or still closing in the transport. */
  boolean checkClosed() {
    if (!closed || closeFuture.isDone()) {
      return closeFuture.isDone();
    }
    for (ServerPool<C> sp : members.all()) {
      if (sp.totalLocked() != 0) {
        return false;
      }
    }
    if (transportCloses.get() != 0) {
      return false;
    }
    tasks.cancelAll();
    recorder.poolClosed();
    closeFuture.complete(null);
    return true;
  }

  @Override
  public void close() {
    CompletableFuture<Void> f = closeAsync();
    if (f.isDone()) {
      return;
    }
    if (connector.onTransportThread() && stats().leased() > 0) {
      throw new IllegalStateException("pool " + name + ": close() on an I/O thread with leased connections would "
          + "wait for releases that can only run on such a thread; use closeAsync()");
    }
    try {
      if (config.closeTimeout().equals(PoolConfig.NO_LIMIT)) {
        f.join();
      } else {
        f.get(config.closeTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException e) {
      throw new IllegalStateException("pool " + name + ": closing took longer than close-timeout plus 5s: the "
          + "transport did not confirm every close", e);
    } catch (java.util.concurrent.ExecutionException | CompletionException e) {
      throw new IllegalStateException("pool " + name + ": close failed", e);
    }
  }

  @Override
  public String toString() {
    return "ConnectionPool{" + name + ", " + stats() + "}";
  }

  // ================================================================ checks of the whole, for tests

  /**
   * Checks every invariant the pool keeps, holding all server locks at once so the counts are taken at
   * one instant: per server ({@link ServerPool#checkLocked}), open plus connecting over servers equals
   * the pool-wide count the limit is enforced on, neither limit is exceeded, the wait queue is sound.
   */
  List<String> checkInvariants() {
    // Membership changes wait for the check (they are serialized on the Servers monitor): a server
    // added meanwhile would hold reservations the check cannot see.
    synchronized (servers) {
      return checkInvariantsOfCurrentServers();
    }
  }

  private List<String> checkInvariantsOfCurrentServers() {
    List<String> problems = new ArrayList<>();
    ServerPool<C>[] all = members.all();
    lockAllThen(all, 0, () -> {
      int sum = 0;
      for (ServerPool<C> sp : all) {
        sp.checkLocked(problems);
        sum += sp.openLocked();
      }
      int reserved = connects.reserved();
      if (sum != reserved) {
        problems.add("idle + leased + connecting over servers = " + sum + " but pool total = " + reserved);
      }
      if (reserved > connects.limit()) {
        problems.add("pool total " + reserved + " over max-connections " + connects.limit());
      }
      waiting.queue.check(config.maxPendingAcquires(), problems);
    });
    return problems;
  }

  private void lockAllThen(ServerPool<C>[] all, int i, Runnable action) {
    if (i == all.length) {
      action.run();
      return;
    }
    synchronized (all[i]) {
      lockAllThen(all, i + 1, action);
    }
  }
}
