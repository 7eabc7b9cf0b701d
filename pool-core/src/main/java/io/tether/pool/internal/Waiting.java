package io.tether.pool.internal;

import io.tether.pool.AcquireTimeoutException;
import io.tether.pool.Endpoint;
import io.tether.pool.EndpointDownException;
import io.tether.pool.OnAcquireTimeout;
import io.tether.pool.PendingAcquireLimitException;
import io.tether.pool.PoolClosedException;
import io.tether.pool.PoolConfig;
import io.tether.pool.ServerState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Acquires that wait: queued in arrival order, bounded, each served once, by whoever unlinks it from the
 * {@link WaitQueue}: a release handing its connection over, a connect finishing, its timeout, its
 * server leaving, the pool closing, or its user giving up (cancel, {@code orTimeout}).
 */
final class Waiting<C> {
  private final PoolEngine<C> engine;
  final WaitQueue<C> queue = new WaitQueue<>();

  Waiting(PoolEngine<C> engine) {
    this.engine = engine;
  }

  /** Queues an acquire, tries the idle set once more, starts a connect and a timeout for it. */
  CompletableFuture<Object> enqueue(ServerPool<C> target, boolean fresh, Object key, ServerPool<C> avoid,
      boolean handle) {
    long now = engine.ticker.read();
    PendingAcquire<C> w = new PendingAcquire<>(this, target, now, fresh, key, handle);
    w.avoid = avoid;
    w.site = engine.maintenance.acquireSite();
    PoolConfig config = engine.config;
    if (engine.isClosed()) {
      w.future.fail(new PoolClosedException(engine.name));
      return w.future;
    }
    // max-pending-acquires counts what Netty's maxPendingAcquires counts: acquires waiting for a release
    // or for room, not those opening a connection of their own. Whether this one can open one is known
    // only once it tried: with room in the pool it joins, tries, and withdraws below if it must wait
    // beyond the limit after all (a full server it is bound to, another thread's connect first). Two
    // acquires racing for the last place may both withdraw: one refusal too many, never one too few.
    int limit = config.maxPendingAcquires();
    boolean room = engine.connects.reserved() < engine.connects.limit();
    if (!queue.offer(w, limit, room)) {
      rejected(w, limit);
      return w.future;
    }
    if (engine.isClosed()) { // closeAsync may have drained the queue just before we joined it
      fail(w, new PoolClosedException(engine.name));
      return w.future;
    }
    // A release that linked its connection before seeing us queued is caught here: we are visible to
    // every release from now on, and we look at the idle set once more ourselves.
    dispatch();
    if (!w.future.isDone()) {
      engine.connects.connectFor(w);
    }
    // The size read first, unlocked: below the limit (the usual case) nothing to count.
    if (!w.future.isDone() && queue.size > limit && queue.overLimitWithout(w, limit) && queue.remove(w)) {
      rejected(w, limit);
      return w.future;
    }
    // Without includes-connect, an acquire with a connect of its own is bounded by the connect timeout,
    // not the acquire timeout (Netty's FixedChannelPool times only acquires waiting for room).
    boolean timed = config.acquireTimeoutIncludesConnect() || !w.connectStarted;
    if (!w.future.isDone() && timed && !config.acquireTimeout().equals(PoolConfig.NO_LIMIT)) {
      w.timeout = engine.tasks.schedule(() -> timedOut(w), config.acquireTimeout().toNanos(), false,
          rejected -> fail(w, rejected));
      if (w.future.isDone()) {
        w.cancelTimeout();
      }
    }
    return w.future;
  }

  /** Completes a dequeued waiter with a leased connection; false if its user gave up meanwhile. */
  boolean complete(PendingAcquire<C> w, PooledConnection<C> c) {
    w.cancelTimeout();
    long now = engine.ticker.read();
    // Before the user can see it (its callbacks run inside succeed()); the leak site is the
    // application's call, not the stack of the thread that happens to serve it.
    engine.beginLease(c, now, w.site);
    if (!w.future.succeed(w.handle ? new LeaseHandle<>(c) : c)) {
      return false;
    }
    engine.leaseReported(c, now, now - w.enqueuedAt);
    if (w.key != null) {
      engine.affinity.served(w.key, c);
    }
    return true;
  }

  /**
   * Pairs waiting acquires, oldest first, with idle connections. Called when an acquire is queued and
   * when a release happens while acquires wait; bounded by the waiters whose server has idle ones.
   */
  void dispatch() {
    startFreshConnects();
    boolean anyExhausted = false;
    List<ServerPool<C>> exhausted = new ArrayList<>(2);
    while (queue.size != 0) {
      boolean anyDone = anyExhausted;
      PendingAcquire<C> w = queue.first(p -> {
        ServerPool<C> t = p.target;
        return !p.fresh && (t == null ? !anyDone : !exhausted.contains(t) && t.state == ServerState.UP);
      });
      if (w == null) {
        return;
      }
      ServerPool<C> t = w.target;
      long now = engine.ticker.read();
      PooledConnection<C> c = t == null ? engine.members.pollAnyIdle(now) : t.pollIdle(now);
      if (c == null) {
        if (t == null) {
          anyExhausted = true;
          for (ServerPool<C> sp : engine.members.all()) {
            exhausted.add(sp);
          }
        } else {
          exhausted.add(t);
        }
        continue;
      }
      if (!(w.accepts(c.server) && queue.remove(w) && complete(w, c))) {
        engine.returnIdle(c, false);
      }
    }
  }

  /**
   * Fresh acquires cannot use idle connections, so while they wait an idle connection is room that
   * could be theirs: start their connects, closing idle connections to make room.
   */
  private void startFreshConnects() {
    if (queue.size == 0) {
      return;
    }
    for (PendingAcquire<C> p : queue.all(x -> x.fresh && !x.connectStarted)) {
      engine.connects.connectFor(p);
    }
  }

  /** Gives a connection we hold to the oldest acquire that can use it, else back to the idle set. */
  void handOff(PooledConnection<C> c) {
    while (queue.size != 0) {
      PendingAcquire<C> w = queue.removeFirst(p -> p.accepts(c.server));
      if (w == null) {
        break;
      }
      if (complete(w, c)) {
        return;
      }
    }
    engine.returnIdle(c, false);
  }

  private void timedOut(PendingAcquire<C> w) {
    if (engine.config.onAcquireTimeout() == OnAcquireTimeout.CONNECT && !engine.isClosed()) {
      // Netty's AcquireTimeoutAction.NEW: it keeps waiting (a release may still serve it first), and
      // gets a connect of its own beyond the limits.
      w.overLimit = true;
      engine.connects.connectFor(w);
      return;
    }
    if (!queue.remove(w)) {
      return;
    }
    long waited = engine.ticker.read() - w.enqueuedAt;
    ServerPool<C> t = w.target;
    Endpoint e = t == null ? null : t.endpoint;
    engine.listener.acquireTimedOut(e, waited);
    engine.recorder.recordAcquireTimeout(e, waited);
    // A pool with no server has no room at all: limit 0 says why nothing came.
    int limit = t != null ? t.maxConnections : engine.members.isEmpty() ? 0 : engine.connects.limit();
    int open = t == null ? engine.connects.reserved() : t.total;
    w.future.fail(new AcquireTimeoutException(engine.name, e == null ? null : e.name(), limit,
        Duration.ofNanos(waited), open, queue.size));
    // The connect this acquire started may still complete: it then serves the next waiter or idles.
  }

  private void rejected(PendingAcquire<C> w, int limit) {
    engine.listener.acquireRejected();
    engine.recorder.recordAcquireRejected();
    w.future.fail(new PendingAcquireLimitException(engine.name, limit, engine.connects.limit()));
  }

  /** Its user cancelled it or completed it from outside: out of the queue now, its slot freed. */
  void gaveUp(PendingAcquire<C> w) {
    if (queue.remove(w)) {
      w.cancelTimeout();
    }
  }

  void fail(PendingAcquire<C> w, Throwable error) {
    if (queue.remove(w)) {
      w.cancelTimeout();
      w.future.fail(error);
    }
  }

  /**
   * A server went down, drained or into maintenance: keyed acquires waiting for it move to another
   * server (their key is re-pinned), acquires bound to it fail.
   */
  void serverLeft(ServerPool<C> sp, EndpointDownException why) {
    for (PendingAcquire<C> w : queue.all(p -> p.target == sp)) {
      if (w.key != null) {
        ServerPool<C> next = engine.affinity.pinnedServer(w.key, sp);
        if (next != null && next != sp) {
          w.target = next;
          engine.connects.retryElsewhere(w);
          continue;
        }
      }
      fail(w, why);
    }
  }

  /** The pool closes: every waiting acquire fails. */
  void closeAll() {
    PoolClosedException error = new PoolClosedException(engine.name);
    for (PendingAcquire<C> p : queue.drain()) {
      p.cancelTimeout();
      p.future.fail(error);
    }
  }
}
