package io.tether.pool.internal;

import io.tether.pool.AcquireTimeoutException;
import io.tether.pool.CloseCause;
import io.tether.pool.ConnectFailedException;
import io.tether.pool.ConnectionPool;
import io.tether.pool.Connector;
import io.tether.pool.Endpoint;
import io.tether.pool.EndpointDownException;
import io.tether.pool.HealthProbe;
import io.tether.pool.Lease;
import io.tether.pool.PendingAcquireLimitException;
import io.tether.pool.PoolClosedException;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolListener;
import io.tether.pool.PoolStats;
import io.tether.pool.ReuseOrder;
import io.tether.pool.Scheduler;
import io.tether.pool.ServerState;
import io.tether.pool.Ticker;
import io.tether.pool.metrics.PoolMetricsRecorder;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;

/**
 * The pool: leases, waiting acquires, connects, eviction and close, over one {@link ServerPool} per
 * server, with affinity ({@link AffinityTable}), health ({@link HealthChecker}, {@link ServerStates}) and
 * the wait queue ({@link WaitQueue}) beside it. See {@link PooledConnection} for the connection state
 * machine and {@link ServerPool} for the locking.
 *
 * <p>Maintenance is the pure step {@link #maintain(long)}; the engine schedules it on the injected
 * {@link Scheduler} for the earliest deadline of any idle connection, never on a fixed period.
 */
public final class PoolEngine<C> implements ConnectionPool<C> {
  private static final VarHandle NEXT_SWEEP;
  private static final long COARSE_GRANULE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  static {
    try {
      NEXT_SWEEP = MethodHandles.lookup().findVarHandle(PoolEngine.class, "nextSweepAt", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  volatile PoolConfig config;
  final String name;
  final Connector<C> connector;
  final Scheduler scheduler;
  final Ticker ticker;
  final PoolListener listener;
  final PoolMetricsRecorder recorder;
  final ServerStates<C> states;
  private final DoubleSupplier random;

  /** Deadlines settings in force; replaced whole by {@link #reconfigure}. */
  volatile Deadlines eviction;
  private final HealthProbe probe;
  private final boolean tracksActivity;
  private final boolean wantsIdleAges;

  private final ServerPool<C>[] servers;
  private final Map<String, ServerPool<C>> byName = new HashMap<>();
  private final Balancer balancer;
  private final AffinityTable<C> affinity;
  private final AtomicInteger poolTotal = new AtomicInteger();
  private final int maxConnections;
  private final WaitQueue<C> waiters = new WaitQueue<>();

  /**
   * The latest ticker reading anyone in the pool made (sweeps, connects, waits, and last-activity
   * stamps of released connections). Lets the lease path reject a connection past its deadline
   * without reading the clock itself, which would cost more than the whole lease.
   */
  private volatile long coarseNow;

  @SuppressWarnings("unused") // accessed through NEXT_SWEEP
  private volatile long nextSweepAt = Long.MAX_VALUE;

  private volatile boolean affinitySweepScheduled;
  private final Set<Task> tasks = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();

  @SuppressWarnings("unchecked")
  public PoolEngine(
      PoolConfig config,
      Connector<C> connector,
      Scheduler scheduler,
      Ticker ticker,
      PoolListener listener,
      PoolMetricsRecorder recorder,
      DoubleSupplier random,
      HealthProbe probe) {
    this.config = config;
    this.name = config.name();
    this.connector = connector;
    this.scheduler = scheduler;
    this.ticker = ticker;
    this.listener = listener;
    this.recorder = recorder;
    this.random = random;
    this.eviction = Deadlines.of(config);
    this.probe = probe;
    this.leakThresholdNanos = config.leakDetectionThreshold().toNanos();
    this.tracksActivity = connector.tracksActivity();
    this.wantsIdleAges = recorder.wantsIdleAges();
    this.maxConnections = config.maxConnections();
    this.states = new ServerStates<>(this, config.onMarkedDown(), config.observe(), config.errorLimit());
    this.affinity = new AffinityTable<>(config.affinityMaxKeys(), config.affinityIdleTimeout().toNanos());
    List<Endpoint> endpoints = config.servers();
    this.servers = new ServerPool[endpoints.size()];
    for (int i = 0; i < servers.length; i++) {
      Endpoint e = endpoints.get(i);
      servers[i] = new ServerPool<>(this, e, i, config.maxConnectionsPerServer(),
          config.reuseOrder() == ReuseOrder.LIFO);
      byName.put(e.name(), servers[i]);
    }
    this.balancer = new Balancer(config.balance(), servers.length);
    this.coarseNow = ticker.read();
    recorder.poolStarted(name, this::stats);
    for (ServerPool<C> sp : servers) {
      if (sp.endpoint.disabled()) {
        sp.admin = ServerPool.Admin.MAINT;
        sp.state = io.tether.pool.ServerState.MAINT;
        sp.releaseMode = ServerPool.CLOSE_DOWN;
      }
    }
    states.configure(config.onMarkedDown(), config.onMarkedUp(), config.observe(), config.errorLimit());
    synchronized (states) {
      states.rotation();
    }
    if (config.healthCheck().enabled()) {
      Objects.requireNonNull(probe, "health checks are on but there is no HealthProbe");
      startCheckers(config.healthCheck());
    }
  }

  /**
   * Starts a checker for every checked server that has none. The first checks are spread over one
   * interval by the server's position, as HAProxy's {@code start_check_task} does.
   */
  private void startCheckers(io.tether.pool.HealthCheck hc) {
    long inter = hc.inter().toNanos();
    int n = 0;
    for (ServerPool<C> sp : servers) {
      n += sp.endpoint.checked() ? 1 : 0;
    }
    int pos = 0;
    for (ServerPool<C> sp : servers) {
      if (!sp.endpoint.checked() || sp.checker != null) {
        continue;
      }
      sp.checker = new HealthChecker<>(this, sp, probe, hc);
      sp.checker.start(inter * pos++ / Math.max(1, n));
    }
  }

  boolean isClosed() {
    return closed;
  }

  ServerPool<C>[] servers() {
    return servers;
  }

  // ================================================================ acquire

  @Override
  public Lease<C> tryAcquire() {
    if (closed) {
      throw new PoolClosedException(name);
    }
    PooledConnection<C> c = pollAnyIdle();
    if (c != null) {
      leased(c, 0);
    }
    return c;
  }

  @Override
  public CompletableFuture<Lease<C>> acquire() {
    return acquire0(null);
  }

  @Override
  public CompletableFuture<Lease<C>> acquire(Endpoint server) {
    return acquire0(serverOf(server));
  }

  @Override
  public CompletableFuture<Lease<C>> acquireFresh() {
    return acquireFresh(null);
  }

  @Override
  public CompletableFuture<Lease<C>> acquireFresh(Endpoint avoid) {
    if (closed) {
      return CompletableFuture.failedFuture(new PoolClosedException(name));
    }
    return enqueue(null, true, null, avoid == null ? null : serverOf(avoid));
  }

  @Override
  public Lease<C> tryAcquireByKey(Object key) {
    Objects.requireNonNull(key, "key");
    if (closed) {
      throw new PoolClosedException(name);
    }
    PooledConnection<C> c = pinnedIdle(key);
    if (c != null) {
      leased(c, 0);
    }
    return c;
  }

  @Override
  public CompletableFuture<Lease<C>> acquireByKey(Object key) {
    Objects.requireNonNull(key, "key");
    if (closed) {
      return CompletableFuture.failedFuture(new PoolClosedException(name));
    }
    PooledConnection<C> c = pinnedIdle(key);
    if (c != null) {
      leased(c, 0);
      return CompletableFuture.completedFuture(c);
    }
    ServerPool<C> sp = pinnedServer(key, null);
    if (sp == null) {
      return CompletableFuture.failedFuture(new EndpointDownException(name, null, null));
    }
    return enqueue(sp, false, key, null);
  }

  @Override
  public CompletableFuture<Lease<C>> acquireFreshByKey(Object key) {
    Objects.requireNonNull(key, "key");
    if (closed) {
      return CompletableFuture.failedFuture(new PoolClosedException(name));
    }
    ServerPool<C> sp = pinnedServer(key, null);
    if (sp == null) {
      return CompletableFuture.failedFuture(new EndpointDownException(name, null, null));
    }
    return enqueue(sp, true, key, null);
  }

  private ServerPool<C> serverOf(Endpoint server) {
    ServerPool<C> sp = byName.get(server.name());
    if (sp == null || !sp.endpoint.equals(server)) {
      throw new IllegalArgumentException("pool " + name + " has no server " + server);
    }
    return sp;
  }

  private CompletableFuture<Lease<C>> acquire0(ServerPool<C> target) {
    if (closed) {
      return CompletableFuture.failedFuture(new PoolClosedException(name));
    }
    if (target != null && target.state != ServerState.UP) {
      return CompletableFuture.failedFuture(
          new EndpointDownException(name, target.endpoint.name(), "state " + target.state));
    }
    PooledConnection<C> c = target == null ? pollAnyIdle() : target.pollIdle(coarseNow);
    if (c != null) {
      leased(c, 0);
      return CompletableFuture.completedFuture(c);
    }
    return enqueue(target, false, null, null);
  }

  /**
   * The idle connection {@code key} used last, or another idle one to its server: prefer-last-server.
   * No clock read, no lock, no allocation when the key's connection is idle in a hot slot.
   */
  private PooledConnection<C> pinnedIdle(Object key) {
    AffinityTable.Pin<C> p = affinity.get(key);
    if (p == null) {
      return null;
    }
    ServerPool<C> sp = p.server;
    if (sp.state != ServerState.UP) {
      return null;
    }
    long now = coarseNow;
    p.lastUsed = now;
    PooledConnection<C> last = p.last;
    if (last != null && last.server == sp && sp.claim(last)) {
      if (usable(last, now)) {
        return last;
      }
      discardLeased(last, now);
    }
    PooledConnection<C> c = sp.pollIdle(now);
    if (c != null) {
      p.last = c;
    }
    return c;
  }

  /** The server {@code key} is pinned to if it is up, else a newly chosen one it is pinned to now. */
  private ServerPool<C> pinnedServer(Object key, ServerPool<C> avoid) {
    AffinityTable.Pin<C> p = affinity.get(key);
    if (p != null && p.server.state == ServerState.UP && p.server != avoid) {
      return p.server;
    }
    ServerPool<C> sp = balancer.pickForPin(servers, avoid);
    if (sp == null && avoid != null) {
      sp = balancer.pickForPin(servers, null);
    }
    if (sp == null) {
      return null;
    }
    long now = coarseNow;
    affinity.pin(key, sp, now);
    if (!affinitySweepScheduled) {
      affinitySweepScheduled = true;
      scheduleTask(this::forgetIdleKeys, config.affinityIdleTimeout().toNanos() / 2);
    }
    return sp;
  }

  private void forgetIdleKeys() {
    long now = ticker.read();
    touch(now);
    int left = affinity.forgetIdle(now);
    if (left > 0 && !closed) {
      scheduleTask(this::forgetIdleKeys, config.affinityIdleTimeout().toNanos() / 2);
    } else {
      affinitySweepScheduled = false;
    }
  }

  private PooledConnection<C> pollAnyIdle() {
    ServerPool<C>[] all = servers;
    long now = coarseNow;
    if (all.length == 1) {
      ServerPool<C> sp = all[0];
      return sp.balanced ? sp.pollIdle(now) : null;
    }
    // Two passes so that many servers cost one slot probe each before any full scan.
    int start = (int) (Thread.currentThread().getId() % all.length);
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

  /** Whether a just-claimed idle connection may be handed out. */
  boolean usable(PooledConnection<C> c, long now) {
    return c.evictAt > now && c.lifetimeDeadline > now && connector.isAlive(c.connection());
  }

  /** Closes a connection claimed from the idle set that turned out unusable. */
  void discardLeased(PooledConnection<C> c, long now) {
    CloseCause cause;
    if (!connector.isAlive(c.connection())) {
      cause = CloseCause.PEER_CLOSED;
    } else if (c.lifetimeDeadline <= now) {
      cause = CloseCause.LIFETIME_EXPIRED;
    } else {
      cause = CloseCause.IDLE_EVICTED;
    }
    if (c.server.beginCloseLeased(c, cause)) {
      finishClose(c, null);
    }
  }

  private void leased(PooledConnection<C> c, long waitNanos) {
    listener.acquired(c.server.endpoint);
    if (leakThresholdNanos > 0) {
      trackLease(c);
    }
    if (wantsIdleAges) {
      long now = ticker.read();
      touch(now);
      recorder.recordAcquire(c.server.endpoint, waitNanos, c.reused ? Math.max(0, now - c.lastActivity) : -1);
    }
  }

  private CompletableFuture<Lease<C>> enqueue(
      ServerPool<C> target, boolean fresh, Object key, ServerPool<C> avoid) {
    long now = ticker.read();
    touch(now);
    PendingAcquire<C> w = new PendingAcquire<>(this, target, now, fresh, key);
    w.avoid = avoid;
    if (closed) {
      return CompletableFuture.failedFuture(new PoolClosedException(name));
    }
    if (!waiters.offer(w, config.maxPendingAcquires())) {
      listener.acquireRejected();
      recorder.recordAcquireRejected();
      return CompletableFuture.failedFuture(
          new PendingAcquireLimitException(name, config.maxPendingAcquires(), maxConnections));
    }
    if (closed) { // closeAsync may have drained the queue just before we joined it
      failWaiter(w, new PoolClosedException(name));
      return w.future;
    }
    // A release that linked its connection before seeing us queued is caught here: we are visible to
    // every release from now on, and we look at the idle set once more ourselves.
    dispatch();
    if (!w.future.isDone()) {
      connectFor(w);
    }
    if (!w.future.isDone() && !config.acquireTimeout().equals(PoolConfig.NO_LIMIT)) {
      w.timeout = scheduleTask(() -> timedOut(w), config.acquireTimeout().toNanos());
      if (w.future.isDone()) {
        w.cancelTimeout();
      }
    }
    return w.future;
  }

  /** Completes a dequeued waiter with a leased connection; false if it was cancelled meanwhile. */
  private boolean complete(PendingAcquire<C> w, PooledConnection<C> c) {
    w.cancelTimeout();
    long now = ticker.read();
    touch(now);
    if (!w.future.complete(c)) {
      return false;
    }
    if (w.key != null) {
      AffinityTable.Pin<C> p = affinity.get(w.key);
      if (p != null && p.server == c.server) {
        p.last = c;
      }
    }
    leased(c, now - w.enqueuedAt);
    return true;
  }

  /**
   * Pairs waiting acquires, oldest first, with idle connections. Called when an acquire is queued and
   * when a release happens while acquires wait; bounded by the waiters whose server has idle ones.
   */
  private void dispatch() {
    startFreshConnects();
    boolean anyExhausted = false;
    boolean[] exhausted = new boolean[servers.length];
    while (waiters.size != 0) {
      boolean anyDone = anyExhausted;
      PendingAcquire<C> w = waiters.first(p -> {
        ServerPool<C> t = p.target;
        return !p.fresh && (t == null ? !anyDone : !exhausted[t.index] && t.state == ServerState.UP);
      });
      if (w == null) {
        return;
      }
      ServerPool<C> t = w.target;
      PooledConnection<C> c = t == null ? pollAnyIdle() : t.pollIdle(coarseNow);
      if (c == null) {
        if (t == null) {
          anyExhausted = true;
          java.util.Arrays.fill(exhausted, true);
        } else {
          exhausted[t.index] = true;
        }
        continue;
      }
      if (!(w.accepts(c.server) && waiters.remove(w) && complete(w, c))) {
        returnIdle(c, false);
      }
    }
  }

  /**
   * Fresh acquires cannot use idle connections, so while they wait an idle connection is room that
   * could be theirs: start their connects, closing idle connections to make room.
   */
  private void startFreshConnects() {
    if (waiters.size == 0) {
      return;
    }
    for (PendingAcquire<C> p : waiters.all(x -> x.fresh && !x.connectStarted)) {
      connectFor(p);
    }
  }

  /** Closes one idle connection (to {@code target}, or any server) to free room for a fresh one. */
  private boolean makeRoom(ServerPool<C> target) {
    PooledConnection<C> c = target == null ? pollAnyIdle() : target.pollIdle(coarseNow);
    if (c == null) {
      return false;
    }
    if (c.server.beginCloseLeased(c, CloseCause.IDLE_EVICTED)) {
      finishClose(c, null);
    }
    return true;
  }

  /** Gives a connection we hold to the oldest acquire that can use it, else back to the idle set. */
  private void handOff(PooledConnection<C> c) {
    while (waiters.size != 0) {
      PendingAcquire<C> w = waiters.removeFirst(p -> p.accepts(c.server));
      if (w == null) {
        break;
      }
      if (complete(w, c)) {
        return;
      }
    }
    returnIdle(c, false);
  }

  private void timedOut(PendingAcquire<C> w) {
    if (!waiters.remove(w)) {
      return;
    }
    long now = ticker.read();
    touch(now);
    long waited = now - w.enqueuedAt;
    ServerPool<C> t = w.target;
    Endpoint e = t == null ? null : t.endpoint;
    listener.acquireTimedOut(e, waited);
    recorder.recordAcquireTimeout(e, waited);
    int limit = t == null ? maxConnections : t.maxConnections;
    int open = t == null ? poolTotal.get() : t.total;
    w.future.completeExceptionally(new AcquireTimeoutException(name, e == null ? null : e.name(), limit,
        Duration.ofNanos(waited), open, waiters.size));
    // The connect this acquire started may still complete: it then serves the next waiter or idles.
  }

  void cancelled(PendingAcquire<C> w) {
    waiters.remove(w);
    w.cancelTimeout();
  }

  private void failWaiter(PendingAcquire<C> w, Throwable error) {
    if (waiters.remove(w)) {
      w.cancelTimeout();
      w.future.completeExceptionally(error);
    }
  }

  // ================================================================ connect

  /** Opens a connection for {@code w} if a server has room; else {@code w} waits for a release. */
  private void connectFor(PendingAcquire<C> w) {
    // Claimed first: making room closes a connection, whose capacityFreed() must not start a second
    // connect for this same acquire. A connect still under way for an acquire served meanwhile is
    // taken over instead of starting another.
    if (waiters.claimConnect(w) != WaitQueue.START) {
      return;
    }
    ServerPool<C> sp = reserveFor(w);
    if (sp == null) {
      waiters.unclaim(w);
      return;
    }
    startConnect(sp, w);
  }

  /** A server with a slot reserved for {@code w}'s connect, or null (and {@code w} failed if hopeless). */
  private ServerPool<C> reserveFor(PendingAcquire<C> w) {
    ServerPool<C> target = w.target;
    if (target != null) {
      if (target.state != ServerState.UP) {
        if (w.key != null) {
          return null; // serverLeft() moves keyed acquires; nothing to do here
        }
        failWaiter(w, new EndpointDownException(name, target.endpoint.name(), "state " + target.state));
        return null;
      }
      return target.reserve() || (w.fresh && makeRoom(target) && target.reserve()) ? target : null;
    }
    ServerPool<C> avoid = w.avoid;
    while (true) {
      ServerPool<C> sp = balancer.pick(servers, avoid);
      if (sp == null && avoid != null) {
        avoid = null;
        sp = balancer.pick(servers, null);
      }
      if (sp == null) {
        if (!anyServerUp()) {
          failWaiter(w, new EndpointDownException(name, null, null));
          return null;
        }
        if (w.fresh && makeRoom(null)) {
          continue;
        }
        return null;
      }
      if (sp.reserve()) {
        return sp;
      }
      if (poolTotal.get() >= maxConnections && !(w.fresh && makeRoom(null))) {
        return null; // the pool-wide limit, not this server's: wait for a release
      }
    }
  }

  private boolean anyServerUp() {
    for (ServerPool<C> sp : servers) {
      if (sp.balanced) {
        return true;
      }
    }
    return false;
  }

  private void startConnect(ServerPool<C> sp, PendingAcquire<C> w) {
    w.attempts++;
    PooledConnection<C> c = new PooledConnection<>(sp, random.getAsDouble(), random.getAsDouble());
    c.idleBudget = eviction.idleBudget(c.idleDraw, 0);
    long start = ticker.read();
    listener.connectStarted(sp.endpoint);
    ConnectAttempt<C> attempt = waiters.attach(w, sp);
    CompletionStage<C> stage;
    try {
      stage = connector.connect(sp.endpoint, config.connectTimeout(), c);
    } catch (RuntimeException | Error e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((conn, err) -> connected(c, conn, err, attempt, start));
  }

  private void connected(PooledConnection<C> c, C conn, Throwable err, ConnectAttempt<C> attempt, long start) {
    long now = ticker.read();
    touch(now);
    ServerPool<C> sp = c.server;
    // The acquire this connect serves now (null if every acquire was served another way); from here on
    // it has no connect under way, so each path below that leaves it waiting must start or adopt one.
    PendingAcquire<C> w = waiters.finish(attempt);
    if (err != null || conn == null) {
      Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
      sp.connectFailed();
      recorder.recordConnect(sp.endpoint, now - start, false);
      listener.connectFailed(sp.endpoint, cause);
      states.observe(sp, false);
      if (w != null) {
        connectFailed(w, sp, cause);
      }
      capacityFreed();
      return;
    }
    long lifetimeDeadline = eviction.lifetimeDeadline(now, c.lifeDraw);
    c.opened(conn, now, lifetimeDeadline);
    if (!sp.connectSucceeded(c, now)) {
      safeClose(conn, closed ? CloseCause.POOL_CLOSED : CloseCause.ENDPOINT_DOWN);
      c.setState(PooledConnection.CLOSED);
      if (w != null && closed) {
        failWaiter(w, new PoolClosedException(name));
      } else if (w != null) {
        retryElsewhere(w);
      }
      capacityFreed();
      checkClosed();
      return;
    }
    recorder.recordConnect(sp.endpoint, now - start, true);
    listener.connected(sp.endpoint, now - start);
    states.observe(sp, true);
    if (lifetimeDeadline != Long.MAX_VALUE) {
      requestSweep(lifetimeDeadline);
    }
    int early = c.peerClosedWhileConnecting();
    if (early != 0) {
      peerClosed(c, early == 2);
    }
    if (c.state() != PooledConnection.LEASED) {
      // The peer closed it before we could hand it out: this acquire still needs a connection.
      if (w != null) {
        retryElsewhere(w);
      }
      capacityFreed();
      return;
    }
    if (w != null && w.acceptsNew(sp) && waiters.remove(w) && complete(w, c)) {
      return;
    }
    handOff(c);
    if (w != null && w.queued) {
      connectFor(w);
    }
  }

  /**
   * A connect for {@code w} to {@code failed} failed: try again, on another server when redispatch is
   * on and {@code w} is not bound to this one, while retries last; then fail it.
   */
  private void connectFailed(PendingAcquire<C> w, ServerPool<C> failed, Throwable cause) {
    boolean explicit = w.target != null && w.key == null;
    if (w.attempts > config.retries() || !w.queued) {
      failWaiter(w, new ConnectFailedException(name, failed.endpoint, cause));
      return;
    }
    if (config.redispatch() && !explicit) {
      w.avoid = failed;
      if (w.key != null) {
        ServerPool<C> next = pinnedServer(w.key, failed);
        if (next != null) {
          w.target = next;
        }
      }
    }
    retryElsewhere(w);
  }

  private void retryElsewhere(PendingAcquire<C> w) {
    waiters.unclaim(w);
    connectFor(w);
  }

  /** A connection closed or a connect failed: room for one more, so serve a waiter that has none. */
  private void capacityFreed() {
    if (waiters.size == 0 || closed) {
      return;
    }
    PendingAcquire<C> w = waiters.first(p -> !p.connectStarted);
    if (w != null) {
      connectFor(w);
    }
  }

  boolean reservePoolSlot() {
    while (true) {
      int n = poolTotal.get();
      if (n >= maxConnections) {
        return false;
      }
      if (poolTotal.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  void releasePoolSlot() {
    poolTotal.decrementAndGet();
  }

  // ================================================================ server state

  /** A server came (back) up: waiting acquires may use it. */
  void serverUp(ServerPool<C> sp) {
    dispatch();
    capacityFreed();
  }

  /**
   * A server went down, drained or into maintenance: keyed acquires waiting for it move to another
   * server (their key is re-pinned), acquires bound to it fail.
   */
  void serverLeft(ServerPool<C> sp, EndpointDownException why) {
    for (PendingAcquire<C> w : waiters.all(p -> p.target == sp)) {
      if (w.key != null) {
        ServerPool<C> next = pinnedServer(w.key, sp);
        if (next != null && next != sp) {
          w.target = next;
          retryElsewhere(w);
          continue;
        }
      }
      failWaiter(w, why);
    }
  }

  @Override
  public void setServerState(String server, ServerState state) {
    ServerPool<C> sp = byName.get(server);
    if (sp == null) {
      throw new IllegalArgumentException("pool " + name + " has no server named " + server);
    }
    states.setAdmin(sp, state);
  }

  // ================================================================ release and close

  void release(PooledConnection<C> c) {
    if (c.retire) {
      if (c.server.beginCloseLeased(c, CloseCause.LIFETIME_EXPIRED)) {
        finishClose(c, null);
      }
      return;
    }
    returnIdle(c, true);
  }

  /** LEASED to IDLE and into the idle set; the hot path of every release. */
  private void returnIdle(PooledConnection<C> c, boolean userRelease) {
    ServerPool<C> sp = c.server;
    long last;
    if (tracksActivity) {
      last = c.lastActivity;
    } else {
      last = ticker.read();
      c.lastActivity = last;
    }
    if (last - coarseNow > COARSE_GRANULE_NANOS) {
      coarseNow = last;
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
        return; // the pool closed it meanwhile (peer close, shutdown); nothing to give back
      }
    }
    if (userRelease) {
      listener.released(sp.endpoint);
      if (sp.observedErrors != 0) {
        states.observe(sp, true);
      }
    }
    if (!stillInSlot) {
      sp.linkIdle(c);
    }
    if (evictAt < nextSweepAt) {
      requestSweep(evictAt);
    }
    // Read after linking, so either a closer or a queued acquire sees our connection, or we see them.
    if (sp.releaseMode != ServerPool.REUSE) {
      closeIdle(sp);
    } else if (userRelease && waiters.size != 0) {
      dispatch();
    }
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

  void peerClosed(PooledConnection<C> c, boolean reset) {
    if (c.state() == PooledConnection.NEW) {
      return; // seen by connected()
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
    CloseCause cause = c.closeCause;
    safeClose(c.connection(), cause);
    c.setState(PooledConnection.CLOSED);
    long now = ticker.read();
    recorder.recordClose(c.server.endpoint, cause, now - c.openedAt, c.closedWhileLeased);
    listener.closed(c.server.endpoint, cause, detail);
    capacityFreed();
    checkClosed();
  }

  private void safeClose(C conn, CloseCause cause) {
    try {
      connector.close(conn, cause);
    } catch (RuntimeException e) {
      // The connector contract forbids throwing; a broken one must not break the pool's bookkeeping.
    }
  }

  // ================================================================ maintenance

  /**
   * Evicts every idle connection whose deadline is at or before {@code now} and retires leased ones
   * past their lifetime.
   *
   * @return nanoseconds until the next deadline, or {@code Long.MAX_VALUE} if no connection is idle
   */
  public long maintain(long now) {
    touch(now);
    long next = Long.MAX_VALUE;
    List<PooledConnection<C>> out = new ArrayList<>();
    for (ServerPool<C> sp : servers) {
      next = Math.min(next, sp.sweep(now, eviction.minLifetimeNanos(), out));
    }
    for (PooledConnection<C> c : out) {
      finishClose(c, null);
    }
    return next == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, next - now);
  }

  private final long leakThresholdNanos;
  private volatile boolean leakScanScheduled;

  private void trackLease(PooledConnection<C> c) {
    c.leakReported = false;
    c.leasedAt = ticker.read();
    c.acquireSite = new Throwable("acquired on " + Thread.currentThread().getName());
    if (!leakScanScheduled) {
      leakScanScheduled = true;
      scheduleTask(this::scanForLeaks, leakThresholdNanos / 2);
    }
  }

  /** Every half threshold while leases are held: reports each lease older than the threshold once. */
  private void scanForLeaks() {
    long now = ticker.read();
    touch(now);
    boolean anyLeased = false;
    for (ServerPool<C> sp : servers) {
      for (PooledConnection<C> c : sp.suspectedLeaks(now - leakThresholdNanos)) {
        java.time.Duration held = java.time.Duration.ofNanos(now - c.leasedAt);
        listener.leakSuspected(sp.endpoint, held, c.acquireSite);
        recorder.recordLeakSuspected(sp.endpoint);
      }
      anyLeased |= sp.snapshot().leased() > 0;
    }
    if (anyLeased && !closed) {
      scheduleTask(this::scanForLeaks, leakThresholdNanos / 2);
    } else {
      leakScanScheduled = false;
    }
  }

  /** Makes sure a sweep runs no later than {@code at}. */
  void requestSweep(long at) {
    while (!closed) {
      long cur = nextSweepAt;
      if (at >= cur) {
        return;
      }
      if (NEXT_SWEEP.compareAndSet(this, cur, at)) {
        long now = ticker.read();
        touch(now);
        scheduleTask(this::runSweep, at - now);
        return;
      }
    }
  }

  private void runSweep() {
    nextSweepAt = Long.MAX_VALUE;
    long now = ticker.read();
    long delay = maintain(now);
    if (delay != Long.MAX_VALUE) {
      requestSweep(now + delay);
    }
  }

  private void touch(long now) {
    if (now > coarseNow) {
      coarseNow = now;
    }
  }

  /** A task on the scheduler that the pool cancels when it closes. */
  private final class Task implements Runnable {
    final Runnable body;
    final boolean survivesClose;
    volatile Scheduler.Cancellable handle;

    Task(Runnable body, boolean survivesClose) {
      this.body = body;
      this.survivesClose = survivesClose;
    }

    @Override
    public void run() {
      tasks.remove(this);
      if (!closed || survivesClose) {
        body.run();
      }
    }

    void cancel() {
      tasks.remove(this);
      Scheduler.Cancellable h = handle;
      if (h != null) {
        h.cancel();
      }
    }
  }

  /** Schedules {@code body} on the pool's scheduler; cancelled if the pool closes first. */
  Scheduler.Cancellable scheduleTask(Runnable body, long delayNanos) {
    return schedule(body, delayNanos, false);
  }

  private Scheduler.Cancellable schedule(Runnable body, long delayNanos, boolean survivesClose) {
    Task t = new Task(body, survivesClose);
    tasks.add(t);
    t.handle = scheduler.schedule(t, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    return t::cancel;
  }

  private void cancelTasks(boolean includingCloseTasks) {
    for (Task t : new ArrayList<>(tasks)) {
      if (includingCloseTasks || !t.survivesClose) {
        t.cancel();
      }
    }
  }

  /** Scheduled tasks not yet run or cancelled (for tests of close). */
  public int scheduledTasks() {
    return tasks.size();
  }

  // ================================================================ stats and close

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
    Deadlines e = Deadlines.of(next);
    eviction = e;
    long now = ticker.read();
    touch(now);
    long earliest = Long.MAX_VALUE;
    for (ServerPool<C> sp : servers) {
      earliest = Math.min(earliest, sp.reconfigure(e));
    }
    states.configure(next.onMarkedDown(), next.onMarkedUp(), next.observe(), next.errorLimit());
    for (ServerPool<C> sp : servers) {
      if (next.healthCheck().enabled()) {
        if (sp.checker != null) {
          sp.checker.configure(next.healthCheck());
        }
      } else if (sp.checker != null) {
        sp.checker.stop();
        sp.checker = null;
        states.setHealth(sp, ServerStates.Health.UP, "health checks turned off");
      }
    }
    if (next.healthCheck().enabled()) {
      startCheckers(next.healthCheck()); // for servers that had none: they start as HAProxy's do
    }
    if (earliest != Long.MAX_VALUE) {
      requestSweep(earliest);
    }
  }

  @Override
  public boolean owns(Lease<?> lease) {
    return lease instanceof PooledConnection && ((PooledConnection<?>) lease).server.engine == this;
  }

  @Override
  public PoolStats stats() {
    List<PoolStats.Server> list = new ArrayList<>(servers.length);
    int idle = 0;
    int leased = 0;
    int connecting = 0;
    for (ServerPool<C> sp : servers) {
      PoolStats.Server s = sp.snapshot();
      list.add(s);
      idle += s.idle();
      leased += s.leased();
      connecting += s.connecting();
    }
    return new PoolStats(name, idle, leased, connecting, waiters.size, maxConnections,
        config.maxPendingAcquires(), list);
  }

  /**
   * Checks every invariant the pool keeps, holding all locks at once so the counts are taken at one
   * instant: per server (see {@link ServerPool#checkLocked}), open + connecting summed over servers
   * equals the pool-wide counter the limit is enforced on, and neither limit is exceeded.
   *
   * @return the violations found; empty if none
   */
  public List<String> checkInvariants() {
    List<String> problems = new ArrayList<>();
    lockAllThen(0, () -> {
      int sum = 0;
      for (ServerPool<C> sp : servers) {
        sp.checkLocked(problems);
        sum += sp.openLocked();
      }
      int reserved = poolTotal.get();
      if (sum != reserved) {
        problems.add("idle + leased + connecting over servers = " + sum + " but pool total = " + reserved);
      }
      if (reserved > maxConnections) {
        problems.add("pool total " + reserved + " over max-connections " + maxConnections);
      }
      waiters.check(config.maxPendingAcquires(), problems);
    });
    return problems;
  }

  private void lockAllThen(int i, Runnable action) {
    if (i == servers.length) {
      action.run();
      return;
    }
    synchronized (servers[i]) {
      lockAllThen(i + 1, action);
    }
  }

  /** Pool-wide reserved connections, the counter the pool limit is enforced on. */
  public int reservedConnections() {
    return poolTotal.get();
  }

  /** Affinity keys remembered now. */
  public int affinityKeys() {
    return affinity.size();
  }

  @Override
  public PoolConfig config() {
    return config;
  }

  @Override
  public CompletableFuture<Void> closeAsync() {
    synchronized (this) {
      if (closed) {
        return closeFuture;
      }
      closed = true;
    }
    for (ServerPool<C> sp : servers) {
      sp.releaseMode = ServerPool.CLOSE_POOL;
    }
    PoolClosedException error = new PoolClosedException(name);
    for (PendingAcquire<C> p : waiters.drain()) {
      p.cancelTimeout();
      p.future.completeExceptionally(error);
    }
    List<PooledConnection<C>> out = new ArrayList<>();
    for (ServerPool<C> sp : servers) {
      sp.closeAllIdle(CloseCause.POOL_CLOSED, out);
    }
    out.forEach(c -> finishClose(c, null));
    cancelTasks(false);
    if (!checkClosed() && !config.closeTimeout().equals(PoolConfig.NO_LIMIT)) {
      schedule(this::forceCloseLeased, config.closeTimeout().toNanos(), true);
    }
    return closeFuture;
  }

  private void forceCloseLeased() {
    List<PooledConnection<C>> out = new ArrayList<>();
    for (ServerPool<C> sp : servers) {
      sp.closeAllLeased(CloseCause.POOL_CLOSED, out);
    }
    out.forEach(c -> finishClose(c, null));
    checkClosed();
  }

  /** Completes the close future once nothing is open or connecting. */
  private boolean checkClosed() {
    if (!closed || closeFuture.isDone()) {
      return closeFuture.isDone();
    }
    for (ServerPool<C> sp : servers) {
      if (sp.totalLocked() != 0) {
        return false;
      }
    }
    cancelTasks(true);
    recorder.poolClosed();
    closeFuture.complete(null);
    return true;
  }

  @Override
  public void close() {
    closeAsync().join();
  }

  @Override
  public String toString() {
    return "ConnectionPool{" + name + ", " + stats() + "}";
  }
}
