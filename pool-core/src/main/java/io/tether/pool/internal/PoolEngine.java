package io.tether.pool.internal;

import io.tether.pool.AcquireTimeoutException;
import io.tether.pool.CloseCause;
import io.tether.pool.ConnectFailedException;
import io.tether.pool.ConnectionPool;
import io.tether.pool.Connector;
import io.tether.pool.Endpoint;
import io.tether.pool.EndpointDownException;
import io.tether.pool.Lease;
import io.tether.pool.PendingAcquireLimitException;
import io.tether.pool.PoolClosedException;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolListener;
import io.tether.pool.PoolStats;
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
 * server. See {@link PooledConnection} for the connection state machine and {@link ServerPool} for the
 * locking.
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

  final PoolConfig config;
  final String name;
  final Connector<C> connector;
  final Scheduler scheduler;
  final Ticker ticker;
  final PoolListener listener;
  final PoolMetricsRecorder recorder;
  private final DoubleSupplier random;

  final long handoutMarginNanos;
  private final long evictAfterNanos;
  private final long lifetimeNanos;
  private final long minLifetimeNanos;
  private final double jitter;
  private final boolean tracksActivity;
  private final boolean wantsIdleAges;

  private final ServerPool<C>[] servers;
  private final Map<String, ServerPool<C>> byName = new HashMap<>();
  private final Balancer balancer;
  private final AtomicInteger poolTotal = new AtomicInteger();
  private final int maxConnections;

  /**
   * The latest ticker reading anyone in the pool made (sweeps, connects, waits, and last-activity
   * stamps of released connections). Lets the lease path reject a connection past its deadline
   * without reading the clock itself, which would cost more than the whole lease.
   */
  private volatile long coarseNow;

  private final Object waitersLock = new Object();
  private PendingAcquire<C> waitHead;
  private PendingAcquire<C> waitTail;
  private volatile int waiterCount;

  @SuppressWarnings("unused") // accessed through NEXT_SWEEP
  private volatile long nextSweepAt = Long.MAX_VALUE;

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
      DoubleSupplier random) {
    this.config = config;
    this.name = config.name();
    this.connector = connector;
    this.scheduler = scheduler;
    this.ticker = ticker;
    this.listener = listener;
    this.recorder = recorder;
    this.random = random;
    this.handoutMarginNanos = config.handoutMargin().toNanos();
    this.evictAfterNanos = config.evictAfter().toNanos();
    this.lifetimeNanos = config.maxLifetime().toNanos();
    this.jitter = config.jitter();
    this.minLifetimeNanos = lifetimeNanos == 0 ? 0 : (long) (lifetimeNanos * (1 - jitter)) - 1;
    this.tracksActivity = connector.tracksActivity();
    this.wantsIdleAges = recorder.wantsIdleAges();
    this.maxConnections = config.maxConnections();
    List<Endpoint> endpoints = config.servers();
    this.servers = new ServerPool[endpoints.size()];
    for (int i = 0; i < servers.length; i++) {
      Endpoint e = endpoints.get(i);
      servers[i] =
          new ServerPool<>(this, e, i, config.maxConnectionsPerServer(),
              config.reuseOrder() == io.tether.pool.ReuseOrder.LIFO);
      byName.put(e.name(), servers[i]);
    }
    this.balancer = new Balancer(config.balance(), servers.length);
    this.coarseNow = ticker.read();
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
    ServerPool<C> sp = byName.get(server.name());
    if (sp == null || !sp.endpoint.equals(server)) {
      throw new IllegalArgumentException("pool " + name + " has no server " + server);
    }
    return acquire0(sp);
  }

  @Override
  public CompletableFuture<Lease<C>> acquireFresh() {
    if (closed) {
      return CompletableFuture.failedFuture(new PoolClosedException(name));
    }
    return enqueue(null, true);
  }

  private CompletableFuture<Lease<C>> acquire0(ServerPool<C> target) {
    if (closed) {
      return CompletableFuture.failedFuture(new PoolClosedException(name));
    }
    if (target != null && !target.state.acceptsLeases()) {
      return CompletableFuture.failedFuture(
          new EndpointDownException(name, target.endpoint.name(), "state " + target.state));
    }
    PooledConnection<C> c = target == null ? pollAnyIdle() : target.pollIdle(coarseNow);
    if (c != null) {
      leased(c, 0);
      return CompletableFuture.completedFuture(c);
    }
    return enqueue(target, false);
  }

  private PooledConnection<C> pollAnyIdle() {
    ServerPool<C>[] all = servers;
    long now = coarseNow;
    if (all.length == 1) {
      ServerPool<C> sp = all[0];
      return sp.state == ServerState.UP ? sp.pollIdle(now) : null;
    }
    // Two passes so that many servers cost one slot probe each before any full scan.
    int start = (int) (Thread.currentThread().getId() % all.length);
    for (int k = 0; k < all.length; k++) {
      ServerPool<C> sp = all[(start + k) % all.length];
      if (sp.state == ServerState.UP) {
        PooledConnection<C> c = sp.pollOwnStripe(now);
        if (c != null) {
          return c;
        }
      }
    }
    for (int k = 0; k < all.length; k++) {
      ServerPool<C> sp = all[(start + k) % all.length];
      if (sp.state == ServerState.UP) {
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
    if (wantsIdleAges) {
      long now = ticker.read();
      touch(now);
      recorder.recordAcquire(c.server.endpoint, waitNanos, c.reused ? Math.max(0, now - c.lastActivity) : -1);
    }
  }

  private CompletableFuture<Lease<C>> enqueue(ServerPool<C> target, boolean fresh) {
    long now = ticker.read();
    touch(now);
    PendingAcquire<C> w = new PendingAcquire<>(this, target, now, fresh);
    synchronized (waitersLock) {
      if (closed) {
        return CompletableFuture.failedFuture(new PoolClosedException(name));
      }
      if (waiterCount >= config.maxPendingAcquires()) {
        listener.acquireRejected();
        recorder.recordAcquireRejected();
        return CompletableFuture.failedFuture(
            new PendingAcquireLimitException(name, config.maxPendingAcquires(), maxConnections));
      }
      append(w);
    }
    // A release that linked its connection before seeing us queued is caught here: we are visible to
    // every release from now on, and we look at the idle set once more ourselves.
    dispatch();
    if (!w.future.isDone()) {
      connectFor(w);
    }
    if (!w.future.isDone()) {
      w.timeout = schedule(() -> timedOut(w), config.acquireTimeout().toNanos());
      if (w.future.isDone()) {
        w.cancelTimeout();
      }
    }
    return w.future;
  }

  private void append(PendingAcquire<C> w) {
    w.queued = true;
    w.prev = waitTail;
    if (waitTail == null) {
      waitHead = w;
    } else {
      waitTail.next = w;
    }
    waitTail = w;
    waiterCount++;
  }

  /** Unlinks {@code w} if still queued; the caller then owns its completion. */
  private boolean dequeue(PendingAcquire<C> w) {
    synchronized (waitersLock) {
      return unlinkWaiter(w);
    }
  }

  private boolean unlinkWaiter(PendingAcquire<C> w) {
    if (!w.queued) {
      return false;
    }
    w.queued = false;
    if (w.prev == null) {
      waitHead = w.next;
    } else {
      w.prev.next = w.next;
    }
    if (w.next == null) {
      waitTail = w.prev;
    } else {
      w.next.prev = w.prev;
    }
    w.prev = null;
    w.next = null;
    waiterCount--;
    return true;
  }

  /** Completes a dequeued waiter with a leased connection; false if it was cancelled meanwhile. */
  private boolean complete(PendingAcquire<C> w, PooledConnection<C> c) {
    w.cancelTimeout();
    long now = ticker.read();
    touch(now);
    if (!w.future.complete(c)) {
      return false;
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
    while (waiterCount != 0) {
      PendingAcquire<C> w;
      synchronized (waitersLock) {
        w = waitHead;
        while (w != null
            && (w.fresh || (w.target == null ? anyExhausted : exhausted[w.target.index]))) {
          w = w.next;
        }
      }
      if (w == null) {
        return;
      }
      PooledConnection<C> c = w.target == null ? pollAnyIdle() : w.target.pollIdle(coarseNow);
      if (c == null) {
        if (w.target == null) {
          anyExhausted = true;
          java.util.Arrays.fill(exhausted, true);
        } else {
          exhausted[w.target.index] = true;
        }
        continue;
      }
      if (!(dequeue(w) && complete(w, c))) {
        returnIdle(c, false);
      }
    }
  }

  /**
   * Fresh acquires cannot use idle connections, so while they wait an idle connection is room that
   * could be theirs: start their connects, closing idle connections to make room.
   */
  private void startFreshConnects() {
    List<PendingAcquire<C>> fresh = null;
    synchronized (waitersLock) {
      for (PendingAcquire<C> p = waitHead; p != null; p = p.next) {
        if (p.fresh && !p.connectStarted) {
          if (fresh == null) {
            fresh = new ArrayList<>();
          }
          fresh.add(p);
        }
      }
    }
    if (fresh != null) {
      fresh.forEach(this::connectFor);
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
    while (waiterCount != 0) {
      PendingAcquire<C> w = null;
      synchronized (waitersLock) {
        for (PendingAcquire<C> p = waitHead; p != null; p = p.next) {
          if (p.accepts(c.server)) {
            w = p;
            unlinkWaiter(p);
            break;
          }
        }
      }
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
    if (!dequeue(w)) {
      return;
    }
    long now = ticker.read();
    touch(now);
    long waited = now - w.enqueuedAt;
    Endpoint e = w.target == null ? null : w.target.endpoint;
    listener.acquireTimedOut(e, waited);
    recorder.recordAcquireTimeout(e, waited);
    int limit = w.target == null ? maxConnections : w.target.maxConnections;
    int open = w.target == null ? poolTotal.get() : w.target.total;
    w.future.completeExceptionally(
        new AcquireTimeoutException(name, e == null ? null : e.name(), limit, Duration.ofNanos(waited),
            open, waiterCount));
    // The connect this acquire started may still complete: it then serves the next waiter or idles.
  }

  void cancelled(PendingAcquire<C> w) {
    dequeue(w);
    w.cancelTimeout();
  }

  // ================================================================ connect

  /** Opens a connection for {@code w} if a server has room; else {@code w} waits for a release. */
  private void connectFor(PendingAcquire<C> w) {
    // Claimed first: making room closes a connection, whose capacityFreed() must not start a second
    // connect for this same acquire.
    synchronized (waitersLock) {
      if (w.connectStarted || !w.queued) {
        return;
      }
      w.connectStarted = true;
    }
    ServerPool<C> sp = reserveFor(w);
    if (sp == null) {
      synchronized (waitersLock) {
        w.connectStarted = false;
      }
      return;
    }
    startConnect(sp, w);
  }

  /** A server with a slot reserved for {@code w}'s connect, or null (and {@code w} failed if hopeless). */
  private ServerPool<C> reserveFor(PendingAcquire<C> w) {
    if (w.target != null) {
      ServerPool<C> sp = w.target;
      if (!sp.state.acceptsLeases()) {
        failWaiter(w, new EndpointDownException(name, sp.endpoint.name(), "state " + sp.state));
        return null;
      }
      return sp.reserve() || (w.fresh && makeRoom(sp) && sp.reserve()) ? sp : null;
    }
    while (true) {
      ServerPool<C> sp = balancer.pick(servers, null);
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
      if (sp.state.acceptsLeases()) {
        return true;
      }
    }
    return false;
  }

  private void failWaiter(PendingAcquire<C> w, Throwable error) {
    if (dequeue(w)) {
      w.cancelTimeout();
      w.future.completeExceptionally(error);
    }
  }

  private void startConnect(ServerPool<C> sp, PendingAcquire<C> w) {
    long budget = Jitter.shorten(evictAfterNanos, jitter, random.getAsDouble()) - handoutMarginNanos;
    PooledConnection<C> c = new PooledConnection<>(sp, budget);
    long start = ticker.read();
    listener.connectStarted(sp.endpoint);
    CompletionStage<C> stage;
    try {
      stage = connector.connect(sp.endpoint, config.connectTimeout(), c);
    } catch (RuntimeException | Error e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((conn, err) -> connected(c, conn, err, w, start));
  }

  private void connected(PooledConnection<C> c, C conn, Throwable err, PendingAcquire<C> w, long start) {
    long now = ticker.read();
    touch(now);
    ServerPool<C> sp = c.server;
    if (err != null || conn == null) {
      Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
      sp.connectFailed();
      recorder.recordConnect(sp.endpoint, now - start, false);
      listener.connectFailed(sp.endpoint, cause);
      failWaiter(w, new ConnectFailedException(name, sp.endpoint, cause));
      capacityFreed();
      return;
    }
    long lifetimeDeadline =
        lifetimeNanos == 0 ? Long.MAX_VALUE : now + Jitter.shorten(lifetimeNanos, jitter, random.getAsDouble());
    c.opened(conn, now, lifetimeDeadline);
    if (!sp.connectSucceeded(c, now)) {
      safeClose(conn, closed ? CloseCause.POOL_CLOSED : CloseCause.ENDPOINT_DOWN);
      c.setState(PooledConnection.CLOSED);
      failWaiter(w, closed ? new PoolClosedException(name)
          : new EndpointDownException(name, sp.endpoint.name(), "state " + sp.state));
      capacityFreed();
      checkClosed();
      return;
    }
    recorder.recordConnect(sp.endpoint, now - start, true);
    listener.connected(sp.endpoint, now - start);
    if (lifetimeDeadline != Long.MAX_VALUE) {
      requestSweep(lifetimeDeadline);
    }
    int early = c.peerClosedWhileConnecting();
    if (early != 0) {
      peerClosed(c, early == 2);
    }
    if (c.state() != PooledConnection.LEASED) {
      // The peer closed it before we could hand it out: this acquire still needs a connection.
      synchronized (waitersLock) {
        w.connectStarted = false;
      }
      capacityFreed();
      return;
    }
    if (dequeue(w) && complete(w, c)) {
      return;
    }
    handOff(c);
  }

  /** A connection closed or a connect failed: room for one more, so serve a waiter that has none. */
  private void capacityFreed() {
    if (waiterCount == 0 || closed) {
      return;
    }
    PendingAcquire<C> w = null;
    synchronized (waitersLock) {
      for (PendingAcquire<C> p = waitHead; p != null; p = p.next) {
        if (!p.connectStarted) {
          w = p;
          break;
        }
      }
    }
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
    if (!c.casState(PooledConnection.LEASED, PooledConnection.IDLE)) {
      return; // the pool closed it meanwhile (peer close, shutdown); nothing to give back
    }
    if (userRelease) {
      listener.released(sp.endpoint);
    }
    sp.linkIdle(c);
    if (evictAt < nextSweepAt) {
      requestSweep(evictAt);
    }
    // Read after linking, so either a closer or a queued acquire sees our connection, or we see them.
    if (sp.releaseMode != ServerPool.REUSE) {
      closeIdle(sp);
    } else if (userRelease && waiterCount != 0) {
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
    }
  }

  void peerClosed(PooledConnection<C> c, boolean reset) {
    if (c.state() == PooledConnection.NEW) {
      return; // seen by connected()
    }
    if (c.server.beginCloseOpen(c, reset ? CloseCause.PEER_RESET : CloseCause.PEER_CLOSED)) {
      finishClose(c, null);
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
    recorder.recordClose(c.server.endpoint, cause, now - c.openedAt);
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
      next = Math.min(next, sp.sweep(now, minLifetimeNanos, out));
    }
    for (PooledConnection<C> c : out) {
      finishClose(c, null);
    }
    return next == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, next - now);
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
        schedule(this::runSweep, at - now);
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

  private Scheduler.Cancellable schedule(Runnable body, long delayNanos) {
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
    return new PoolStats(name, idle, leased, connecting, waiterCount, maxConnections,
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
      synchronized (waitersLock) {
        int n = 0;
        for (PendingAcquire<C> p = waitHead; p != null; p = p.next) {
          n++;
        }
        if (n != waiterCount) {
          problems.add("waiter count " + waiterCount + " but " + n + " queued");
        }
        if (n > config.maxPendingAcquires()) {
          problems.add(n + " waiting, over max-pending-acquires " + config.maxPendingAcquires());
        }
      }
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

  @Override
  public PoolConfig config() {
    return config;
  }

  @Override
  public CompletableFuture<Void> closeAsync() {
    synchronized (waitersLock) {
      if (closed) {
        return closeFuture;
      }
      closed = true;
    }
    for (ServerPool<C> sp : servers) {
      sp.releaseMode = ServerPool.CLOSE_POOL;
    }
    List<PendingAcquire<C>> waiting = new ArrayList<>();
    synchronized (waitersLock) {
      for (PendingAcquire<C> p = waitHead; p != null; ) {
        PendingAcquire<C> next = p.next;
        unlinkWaiter(p);
        waiting.add(p);
        p = next;
      }
    }
    PoolClosedException error = new PoolClosedException(name);
    for (PendingAcquire<C> p : waiting) {
      p.cancelTimeout();
      p.future.completeExceptionally(error);
    }
    List<PooledConnection<C>> out = new ArrayList<>();
    for (ServerPool<C> sp : servers) {
      sp.closeAllIdle(CloseCause.POOL_CLOSED, out);
    }
    out.forEach(c -> finishClose(c, null));
    cancelTasks(false);
    if (!checkClosed()) {
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
