package io.tether.pool.internal;

import io.tether.pool.CloseCause;
import io.tether.pool.ConnectFailedException;
import io.tether.pool.EndpointDownException;
import io.tether.pool.PoolClosedException;
import io.tether.pool.PoolConfig;
import io.tether.pool.ServerState;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opening connections and the room for them: the pool-wide count the connection limit is enforced on
 * (its one owner), which server a connect goes to, what a finished connect serves, and what a failed
 * one does (retry, redispatch, fail the acquire). Every connect settles exactly once: by the transport's
 * answer, or by a guard after the connect timeout if the transport never answers (a shut-down event loop
 * drops its listeners).
 */
final class Connects<C> {
  /** How long past twice the connect timeout the guard waits for a transport that says nothing. */
  private static final long GUARD_SLACK_NANOS = Duration.ofSeconds(30).toNanos();
  /** How long after a failed warm-up connect the next is tried, unless something else triggers it first. */
  static final long WARM_UP_RETRY_NANOS = Duration.ofSeconds(1).toNanos();
  /** The guard's bound when the connect timeout is left to the transport. */
  private static final long TRANSPORT_TIMEOUT_NANOS = Duration.ofSeconds(60).toNanos();

  private final PoolEngine<C> engine;
  private final AtomicInteger reserved = new AtomicInteger();
  private volatile int limit;

  Connects(PoolEngine<C> engine, int limit) {
    this.engine = engine;
    this.limit = limit;
  }

  int limit() {
    return limit;
  }

  /** Open plus connecting connections across all servers: the count {@code max-connections} bounds. */
  int reserved() {
    return reserved.get();
  }

  boolean reservePoolSlot() {
    while (true) {
      int n = reserved.get();
      if (n >= limit) {
        return false;
      }
      if (reserved.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** A slot beyond the limit ({@code on-acquire-timeout=connect}); released as any other. */
  void reservePoolSlotOverLimit() {
    reserved.incrementAndGet();
  }

  void releasePoolSlot() {
    reserved.decrementAndGet();
  }

  /** Opens a connection for {@code w} if a server has room; else {@code w} waits for a release. */
  void connectFor(PendingAcquire<C> w) {
    // Claimed first: making room closes a connection, whose capacityFreed() must not start a second
    // connect for this same acquire. A connect still under way for an acquire served meanwhile is
    // taken over instead of starting another.
    if (engine.waiting.queue.claimConnect(w) != WaitQueue.START) {
      return;
    }
    ServerPool<C> sp = reserveFor(w);
    if (sp == null) {
      engine.waiting.queue.unclaim(w);
      return;
    }
    start(sp, w);
  }

  /** A server with a slot reserved for {@code w}'s connect, or null (and {@code w} failed if hopeless). */
  private ServerPool<C> reserveFor(PendingAcquire<C> w) {
    ServerPool<C> target = w.target;
    if (w.overLimit) {
      ServerPool<C> sp = target != null ? target : engine.balancer.pickForPin(engine.members.all(), null);
      if (sp == null || sp.state != ServerState.UP || !sp.reserveOverLimit()) {
        engine.waiting.fail(w, new EndpointDownException(engine.name, sp == null ? null : sp.endpoint.name(), null));
        return null;
      }
      return sp;
    }
    if (target != null) {
      if (target.state != ServerState.UP) {
        if (w.key != null) {
          return null; // serverLeft() moves keyed acquires; nothing to do here
        }
        engine.waiting.fail(w, new EndpointDownException(engine.name, target.endpoint.name(), "state " + target.state));
        return null;
      }
      return target.reserve() || (w.fresh && makeRoom(target) && target.reserve()) ? target : null;
    }
    ServerPool<C> avoid = w.avoid;
    while (true) {
      ServerPool<C> sp = engine.balancer.pick(engine.members.all(), avoid);
      if (sp == null && avoid != null) {
        avoid = null;
        sp = engine.balancer.pick(engine.members.all(), null);
      }
      if (sp == null) {
        if (engine.members.isEmpty()) {
          // No server at all (a discovery's first answer not in yet, or the last server gone): nothing
          // is down and nothing can be failed over to. The acquire waits, within acquire-timeout, for
          // a server to join (roomAppeared).
          return null;
        }
        if (!anyServerInRotation()) {
          engine.waiting.fail(w, new EndpointDownException(engine.name, null, null));
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
      if (reserved.get() >= limit && !(w.fresh && makeRoom(null))) {
        return null; // the pool-wide limit, not this server's: wait for a release
      }
    }
  }

  private boolean anyServerInRotation() {
    for (ServerPool<C> sp : engine.members.all()) {
      if (sp.balanced) {
        return true;
      }
    }
    return false;
  }

  /** Closes one idle connection (to {@code target}, or any server) to free room for a fresh one. */
  private boolean makeRoom(ServerPool<C> target) {
    long now = engine.ticker.read();
    PooledConnection<C> c = target == null ? engine.members.pollAnyIdle(now) : target.pollIdle(now);
    if (c == null) {
      return false;
    }
    if (c.server.beginCloseLeased(c, CloseCause.IDLE_EVICTED)) {
      engine.finishClose(c, null);
    }
    return true;
  }

  /**
   * {@code min-idle}: opens one connection to {@code sp} if it has fewer idle ones, room, and no acquire
   * waits (waiters open their own). The next starts when this one connected; a failed one is tried
   * again after {@link #WARM_UP_RETRY_NANOS} (or sooner, when a connection closes or the server comes up).
   */
  void warmUp(ServerPool<C> sp) {
    int min = engine.config.minIdle();
    if (min == 0 || engine.isClosed() || engine.waiting.queue.size != 0 || !sp.reserveWarmUp(min)) {
      return;
    }
    start(sp, null);
  }

  void warmUpAll() {
    if (engine.config.minIdle() > 0) {
      for (ServerPool<C> sp : engine.members.all()) {
        warmUp(sp);
      }
    }
  }

  private void start(ServerPool<C> sp, PendingAcquire<C> w) {
    if (w != null) {
      w.attempts++;
    }
    PooledConnection<C> c = new PooledConnection<>(sp, engine.random.getAsDouble(), engine.random.getAsDouble());
    c.idleBudget = engine.deadlines.idleBudget(c.idleDraw, 0, false);
    long start = engine.ticker.read();
    engine.listener.connectStarted(sp.endpoint);
    ConnectAttempt<C> attempt = engine.waiting.queue.attach(w, sp);
    attempt.warmUp = w == null;
    Duration timeout = engine.config.connectTimeout();
    long guard = 2 * (timeout.isZero() ? TRANSPORT_TIMEOUT_NANOS : timeout.toNanos()) + GUARD_SLACK_NANOS;
    ConnectFailedException silent = new ConnectFailedException(engine.name, sp.endpoint,
        new java.net.SocketTimeoutException("the transport did not answer the connect within "
            + Duration.ofNanos(guard).toMillis() + "ms"));
    attempt.guard = engine.tasks.schedule(() -> settle(c, null, silent, attempt, start), guard, true,
        rejected -> settle(c, null, rejected, attempt, start));
    CompletionStage<C> stage;
    try {
      stage = engine.connector.connect(sp.endpoint, timeout, c);
    } catch (RuntimeException | Error e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((conn, err) -> settle(c, conn, err, attempt, start));
  }

  /** The connect's one outcome: the transport's answer or the guard, whichever comes first. */
  private void settle(PooledConnection<C> c, C conn, Throwable err, ConnectAttempt<C> attempt, long start) {
    if (!attempt.settle()) {
      if (conn != null) {
        engine.closeTransport(conn, CloseCause.BROKEN); // answered after the guard gave up on it
      }
      return;
    }
    attempt.cancelGuard();
    connected(c, conn, err, attempt, start);
  }

  private void connected(PooledConnection<C> c, C conn, Throwable err, ConnectAttempt<C> attempt, long start) {
    long now = engine.ticker.read();
    ServerPool<C> sp = c.server;
    // The acquire this connect serves now (null if every acquire was served another way); from here on
    // it has no connect under way, so each path below that leaves it waiting must start or adopt one.
    PendingAcquire<C> w = engine.waiting.queue.finish(attempt);
    if (attempt.warmUp) {
      sp.warmUpEnded();
    }
    if (err != null || conn == null) {
      Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
      sp.connectFailed();
      engine.recorder.recordConnect(sp.endpoint, now - start, false);
      engine.listener.connectFailed(sp.endpoint, cause);
      engine.states.observe(sp, false);
      if (w != null) {
        failed(w, sp, cause);
      }
      if (attempt.warmUp) {
        engine.tasks.schedule(() -> warmUp(sp), WARM_UP_RETRY_NANOS, false, rejected -> { });
      }
      engine.servers.maybeGone(sp); // a server being removed may have waited for this connect alone
      capacityFreed();
      engine.checkClosed();
      return;
    }
    long lifetimeDeadline = engine.deadlines.lifetimeDeadline(now, c.lifeDraw);
    c.opened(conn, now, lifetimeDeadline);
    if (!sp.connectSucceeded(c, now)) {
      c.setState(PooledConnection.CLOSED);
      engine.closeTransport(conn, engine.isClosed() ? CloseCause.POOL_CLOSED : CloseCause.ENDPOINT_DOWN);
      if (w != null && engine.isClosed()) {
        engine.waiting.fail(w, new PoolClosedException(engine.name));
      } else if (w != null) {
        retryElsewhere(w);
      }
      engine.servers.maybeGone(sp);
      capacityFreed();
      engine.checkClosed();
      return;
    }
    engine.recorder.recordConnect(sp.endpoint, now - start, true);
    engine.listener.connected(sp.endpoint, now - start);
    engine.states.observe(sp, true);
    if (lifetimeDeadline != Long.MAX_VALUE) {
      engine.maintenance.requestSweep(lifetimeDeadline);
    }
    int early = c.peerClosedWhileConnecting();
    if (early != 0) {
      engine.closing.peerClosed(c, early == 2);
    }
    if (c.state() != PooledConnection.LEASED) {
      // The peer closed it before we could hand it out: this acquire still needs a connection.
      if (w != null) {
        retryElsewhere(w);
      }
      capacityFreed();
      return;
    }
    if (w != null && w.acceptsNew(sp) && engine.waiting.queue.remove(w) && engine.waiting.complete(w, c)) {
      return;
    }
    engine.waiting.handOff(c);
    if (w != null && w.queued) {
      connectFor(w);
    }
    if (attempt.warmUp) {
      warmUp(sp);
    }
  }

  /**
   * A connect for {@code w} to {@code failed} failed: try again, on another server when redispatch is
   * on and {@code w} is not bound to this one, while retries last; then fail it with the transport's
   * error inside a {@link ConnectFailedException} (or as it is, for a rejected or guarded connect).
   */
  private void failed(PendingAcquire<C> w, ServerPool<C> failed, Throwable cause) {
    PoolConfig config = engine.config;
    boolean explicit = w.target != null && w.key == null;
    boolean hopeless = cause instanceof RejectedExecutionException || cause instanceof ConnectFailedException;
    if (w.attempts > config.retries() || !w.queued || hopeless) {
      engine.waiting.fail(w, cause instanceof ConnectFailedException || cause instanceof RejectedExecutionException
          ? cause : new ConnectFailedException(engine.name, failed.endpoint, cause));
      return;
    }
    if (config.redispatch() && !explicit) {
      w.avoid = failed;
      if (w.key != null) {
        ServerPool<C> next = engine.affinity.pinnedServer(w.key, failed);
        if (next != null) {
          w.target = next;
        }
      }
    }
    retryElsewhere(w);
  }

  void retryElsewhere(PendingAcquire<C> w) {
    engine.waiting.queue.unclaim(w);
    connectFor(w);
  }

  /**
   * Servers joined: every waiting acquire without a connect tries to start one, where {@link
   * #capacityFreed()} starts one for the room a single close makes. Acquires that waited for the pool's
   * first server, or for room the new servers bring, are served now rather than one release at a time.
   */
  void roomAppeared() {
    if (engine.waiting.queue.size == 0 || engine.isClosed()) {
      return;
    }
    for (PendingAcquire<C> w : engine.waiting.queue.all(p -> !p.connectStarted)) {
      connectFor(w);
    }
  }

  /** A connection closed or a connect failed: room for one more, so serve a waiter that has none. */
  void capacityFreed() {
    if (engine.waiting.queue.size == 0 || engine.isClosed()) {
      return;
    }
    PendingAcquire<C> w = engine.waiting.queue.first(p -> !p.connectStarted);
    if (w != null) {
      connectFor(w);
    }
  }
}
