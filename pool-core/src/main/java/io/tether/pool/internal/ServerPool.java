package io.tether.pool.internal;

import io.tether.pool.CloseCause;
import io.tether.pool.Endpoint;
import io.tether.pool.PoolStats;
import io.tether.pool.ServerState;
import java.util.List;

/**
 * One server's share of a pool: its idle connections (hot slots, then a deque ordered by release and a
 * heap ordered by deadline), the list of all its open connections, and its counts.
 *
 * <p>Locking: the hot path (lease and release through a hot slot) takes no lock. Everything else, and
 * every move of a connection to CLOSING, happens under this object's monitor, which is held only for
 * pointer updates: never for I/O, a callback or a future completion.
 */
final class ServerPool<C> {
  /** What a release does with its connection. */
  static final int REUSE = 0;
  static final int CLOSE_DOWN = 1;
  static final int CLOSE_POOL = 2;

  final PoolEngine<C> engine;
  final Endpoint endpoint;
  final int index;
  final int maxConnections;
  private final boolean lifo;
  final HotSlots hot;
  private final IdleDeque deque = new IdleDeque();
  private final DeadlineHeap heap = new DeadlineHeap();
  private final ConnectionList all = new ConnectionList();
  private int connecting;

  /** Published copies for lock-free readers (balancer, emptiness checks). */
  volatile int dequeSize;

  volatile int total;

  /** Administrative state, set at runtime. */
  enum Admin {
    READY,
    DRAIN,
    MAINT
  }

  /** The effective state, read on every lease: see {@link ServerStates}. */
  volatile ServerState state = ServerState.UP;

  volatile int releaseMode = REUSE;

  // Inputs of the effective state; written under the ServerStates lock.
  volatile boolean healthy = true;
  volatile Admin admin = Admin.READY;
  int observedErrors;

  /** Active checks, or null when checks are off. */
  HealthChecker<C> checker;

  ServerPool(PoolEngine<C> engine, Endpoint endpoint, int index, int maxConnections, boolean lifo) {
    this.engine = engine;
    this.endpoint = endpoint;
    this.index = index;
    this.maxConnections = maxConnections;
    this.lifo = lifo;
    this.hot = new HotSlots(maxConnections);
  }

  // ---------------------------------------------------------------- lease and release

  /**
   * Takes an idle connection and leases it, or returns null. A connection found expired, retired or dead
   * on the way is closed and the search goes on.
   */
  @SuppressWarnings("unchecked")
  PooledConnection<C> pollIdle(long coarseNow) {
    if (lifo) {
      HotSlots h = hot;
      int n = h.count();
      int start = h.stripe();
      for (int k = 0; k < n; k++) {
        int i = (start + k) & (n - 1);
        PooledConnection<?> c = h.get(i);
        // Taken out of its slot first, then claimed: a closer claims first and unlinks after, so one
        // of the two CASes on the state fails and nobody gets a connection the other owns.
        if (c != null && h.take(i, c)) {
          PooledConnection<C> pc = (PooledConnection<C>) c;
          if (pc.casState(PooledConnection.IDLE, PooledConnection.LEASED)) {
            if (engine.usable(pc, coarseNow)) {
              return pc;
            }
            engine.discardLeased(pc, coarseNow);
          }
        }
      }
    }
    if (dequeSize == 0) {
      return null;
    }
    return pollDeque(coarseNow);
  }

  /** Own-stripe-only probe, for scanning many servers cheaply before a full scan. */
  @SuppressWarnings("unchecked")
  PooledConnection<C> pollOwnStripe(long coarseNow) {
    if (!lifo) {
      return dequeSize == 0 ? null : pollDeque(coarseNow);
    }
    int i = hot.stripe();
    PooledConnection<?> c = hot.get(i);
    if (c != null && hot.take(i, c)) {
      PooledConnection<C> pc = (PooledConnection<C>) c;
      if (pc.casState(PooledConnection.IDLE, PooledConnection.LEASED)) {
        if (engine.usable(pc, coarseNow)) {
          return pc;
        }
        engine.discardLeased(pc, coarseNow);
      }
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private PooledConnection<C> pollDeque(long coarseNow) {
    while (true) {
      PooledConnection<C> c;
      synchronized (this) {
        c = (PooledConnection<C>) (lifo ? deque.pollFirst() : deque.pollLast());
        if (c == null) {
          dequeSize = 0;
          return null;
        }
        heap.remove(c);
        dequeSize = deque.size();
        // Deque members are always IDLE: moves to CLOSING happen under this lock and unlink first.
        boolean claimed = c.casState(PooledConnection.IDLE, PooledConnection.LEASED);
        assert claimed : c;
      }
      if (engine.usable(c, coarseNow)) {
        return c;
      }
      engine.discardLeased(c, coarseNow);
    }
  }

  /**
   * Leases one particular idle connection (the one an affinity key used last), by the same protocol as
   * {@link #pollIdle}: out of its container first, then IDLE to LEASED. False if it is not idle in this
   * server's idle set (leased by someone else, closing, or moving between slot and deque).
   */
  boolean claim(PooledConnection<C> c) {
    int i = c.slot;
    if (i >= 0 && hot.take(i, c)) {
      return c.casState(PooledConnection.IDLE, PooledConnection.LEASED);
    }
    synchronized (this) {
      if (!c.inDeque) {
        return false;
      }
      deque.remove(c);
      heap.remove(c);
      dequeSize = deque.size();
      boolean claimed = c.casState(PooledConnection.IDLE, PooledConnection.LEASED);
      assert claimed : c;
      return claimed;
    }
  }

  /** Links a connection that just became IDLE into the idle set. */
  @SuppressWarnings("unchecked")
  void linkIdle(PooledConnection<C> c) {
    if (lifo) {
      int i = hot.stripe();
      c.slot = i;
      if (hot.offer(i, c)) {
        return;
      }
      PooledConnection<?> older = hot.swap(i, c);
      if (older != null) {
        moveToDeque((PooledConnection<C>) older);
      }
      return;
    }
    synchronized (this) {
      c.slot = -1;
      if (c.state() == PooledConnection.IDLE && !c.inDeque) {
        deque.addFirst(c);
        heap.add(c);
        dequeSize = deque.size();
      }
    }
  }

  private void moveToDeque(PooledConnection<C> c) {
    synchronized (this) {
      c.slot = -1;
      // A connection closed while it sat in the slot was unlinked from everything else already.
      if (c.state() == PooledConnection.IDLE && !c.inDeque) {
        deque.addFirst(c);
        heap.add(c);
        dequeSize = deque.size();
      }
    }
  }

  // ---------------------------------------------------------------- opening

  /** Reserves room for one more connection, against this server's limit and the pool's. */
  boolean reserve() {
    synchronized (this) {
      if (all.size() + connecting >= maxConnections || !engine.reservePoolSlot()) {
        return false;
      }
      connecting++;
      total = all.size() + connecting;
      return true;
    }
  }

  /**
   * Enters a connected connection as LEASED to the acquire that is waiting for it; false (and the
   * reservation released) if the pool or server no longer accepts connections.
   */
  boolean connectSucceeded(PooledConnection<C> c, long now) {
    synchronized (this) {
      connecting--;
      if (releaseMode != REUSE) {
        engine.releasePoolSlot();
        total = all.size() + connecting;
        return false;
      }
      c.openedAt = now;
      c.setState(PooledConnection.LEASED);
      all.add(c);
      total = all.size() + connecting;
      return true;
    }
  }

  void connectFailed() {
    synchronized (this) {
      connecting--;
      engine.releasePoolSlot();
      total = all.size() + connecting;
    }
  }

  // ---------------------------------------------------------------- closing

  /**
   * Moves {@code c} from {@code from} to CLOSING and drops it from every container and count. Caller
   * holds this lock. The transport close happens later, outside the lock, in {@link
   * PoolEngine#finishClose}.
   */
  boolean beginClose(PooledConnection<C> c, int from, CloseCause cause) {
    assert Thread.holdsLock(this);
    if (!c.casState(from, PooledConnection.CLOSING)) {
      return false;
    }
    c.closeCause = cause;
    c.closedWhileLeased = from == PooledConnection.LEASED;
    int i = c.slot;
    if (i >= 0) {
      hot.take(i, c);
    }
    if (c.inDeque) {
      deque.remove(c);
      heap.remove(c);
      dequeSize = deque.size();
    }
    if (all.remove(c)) {
      engine.releasePoolSlot();
    }
    total = all.size() + connecting;
    return true;
  }

  /** Closes {@code c} whether idle or leased; false if it was already closing. */
  boolean beginCloseOpen(PooledConnection<C> c, CloseCause cause) {
    synchronized (this) {
      while (true) {
        int s = c.state();
        if (s != PooledConnection.IDLE && s != PooledConnection.LEASED) {
          return false;
        }
        if (beginClose(c, s, cause)) {
          return true;
        }
      }
    }
  }

  boolean beginCloseLeased(PooledConnection<C> c, CloseCause cause) {
    synchronized (this) {
      return beginClose(c, PooledConnection.LEASED, cause);
    }
  }

  /** Claims every idle connection for closing, into {@code out}. */
  @SuppressWarnings("unchecked")
  void closeAllIdle(CloseCause cause, List<PooledConnection<C>> out) {
    synchronized (this) {
      PooledConnection<?> c;
      while ((c = deque.first()) != null) {
        if (beginClose((PooledConnection<C>) c, PooledConnection.IDLE, cause)) {
          out.add((PooledConnection<C>) c);
        } else {
          deque.remove(c); // unreachable while the deque invariant holds; never loop on it
          heap.remove(c);
        }
      }
      dequeSize = 0;
      for (int i = 0; i < hot.count(); i++) {
        c = hot.get(i);
        if (c == null) {
          continue;
        }
        if (beginClose((PooledConnection<C>) c, PooledConnection.IDLE, cause)) {
          out.add((PooledConnection<C>) c);
        } else if (c.state() >= PooledConnection.CLOSING) {
          hot.take(i, c);
        }
      }
    }
  }

  /** Claims every leased connection for closing, into {@code out}. */
  @SuppressWarnings("unchecked")
  void closeAllLeased(CloseCause cause, List<PooledConnection<C>> out) {
    synchronized (this) {
      PooledConnection<?> c = all.first();
      while (c != null) {
        PooledConnection<?> next = c.nextAll;
        if (beginClose((PooledConnection<C>) c, PooledConnection.LEASED, cause)) {
          out.add((PooledConnection<C>) c);
        }
        c = next;
      }
    }
  }

  // ---------------------------------------------------------------- maintenance

  /**
   * Claims every idle connection whose deadline has passed, and flags leased ones past their lifetime.
   * Cost: O(expired x log n) for the deque, the fixed number of hot slots, and for lifetimes the
   * connections within one jitter window of expiring.
   *
   * @return the earliest future deadline of a connection still open, or {@code Long.MAX_VALUE}
   */
  @SuppressWarnings("unchecked")
  long sweep(long now, long minLifetimeNanos, List<PooledConnection<C>> out) {
    long next = Long.MAX_VALUE;
    synchronized (this) {
      PooledConnection<?> c;
      while ((c = heap.peek()) != null && c.evictAt <= now) {
        PooledConnection<C> pc = (PooledConnection<C>) c;
        if (beginClose(pc, PooledConnection.IDLE, CloseCause.IDLE_EVICTED)) {
          out.add(pc);
        } else {
          heap.remove(pc); // unreachable while the deque invariant holds; never loop on it
        }
      }
      if (c != null) {
        next = c.evictAt;
      }
      for (int i = 0; i < hot.count(); i++) {
        c = hot.get(i);
        if (c == null) {
          continue;
        }
        int s = c.state();
        if (s >= PooledConnection.CLOSING) {
          hot.take(i, c); // tombstone
          continue;
        }
        if (s != PooledConnection.IDLE) {
          continue; // taken and leased between our reads
        }
        long due = Math.min(c.evictAt, c.lifetimeDeadline);
        if (due <= now) {
          CloseCause cause = c.evictAt <= now ? CloseCause.IDLE_EVICTED : CloseCause.LIFETIME_EXPIRED;
          if (beginClose((PooledConnection<C>) c, PooledConnection.IDLE, cause)) {
            out.add((PooledConnection<C>) c);
          }
        } else {
          next = Math.min(next, due);
        }
      }
      if (minLifetimeNanos > 0) {
        next = Math.min(next, sweepLifetimes(now, minLifetimeNanos, out));
      }
    }
    return next;
  }

  @SuppressWarnings("unchecked")
  private long sweepLifetimes(long now, long minLifetimeNanos, List<PooledConnection<C>> out) {
    long next = Long.MAX_VALUE;
    PooledConnection<?> c = all.first();
    while (c != null) {
      PooledConnection<?> following = c.nextAll;
      long earliestPossible = c.openedAt + minLifetimeNanos;
      // Creation order plus bounded jitter: once a connection could not be due before both now and
      // the best deadline found so far, no later one can either.
      if (earliestPossible > now && earliestPossible >= next) {
        break;
      }
      if (c.lifetimeDeadline <= now) {
        int s = c.state();
        if (s == PooledConnection.IDLE) {
          if (beginClose((PooledConnection<C>) c, s, CloseCause.LIFETIME_EXPIRED)) {
            out.add((PooledConnection<C>) c);
          }
        } else if (s == PooledConnection.LEASED) {
          c.retire = true;
        }
      } else {
        next = Math.min(next, c.lifetimeDeadline);
      }
      c = following;
    }
    return next;
  }

  /**
   * Recomputes every open connection's deadlines under new eviction settings; idle ones are re-sorted
   * in the deadline heap at once. Returns the earliest deadline among idle connections.
   */
  long reconfigure(Eviction e) {
    long earliest = Long.MAX_VALUE;
    synchronized (this) {
      for (PooledConnection<?> c = all.first(); c != null; c = c.nextAll) {
        c.idleBudget = e.idleBudget(c.idleDraw, c.capNanos);
        c.lifetimeDeadline = e.lifetimeDeadline(c.openedAt, c.lifeDraw);
        if (c.state() == PooledConnection.IDLE) {
          boolean inHeap = heap.remove(c);
          c.evictAt = c.lastActivity + c.idleBudget;
          if (inHeap) {
            heap.add(c);
          }
          earliest = Math.min(earliest, Math.min(c.evictAt, c.lifetimeDeadline));
        }
      }
    }
    return earliest;
  }

  /** Leased connections held since before {@code cutoff} and not yet reported, marked reported. */
  List<PooledConnection<C>> suspectedLeaks(long cutoff) {
    List<PooledConnection<C>> out = new java.util.ArrayList<>();
    synchronized (this) {
      for (PooledConnection<?> c = all.first(); c != null; c = c.nextAll) {
        if (c.state() == PooledConnection.LEASED && c.acquireSite != null && !c.leakReported
            && c.leasedAt <= cutoff) {
          c.leakReported = true;
          @SuppressWarnings("unchecked")
          PooledConnection<C> pc = (PooledConnection<C>) c;
          out.add(pc);
        }
      }
    }
    return out;
  }

  /** Counts under the lock; idle and leased may trade places meanwhile, their sum may not. */
  PoolStats.Server snapshot() {
    synchronized (this) {
      int idle = 0;
      int leased = 0;
      for (PooledConnection<?> c = all.first(); c != null; c = c.nextAll) {
        int s = c.state();
        if (s == PooledConnection.IDLE) {
          idle++;
        } else {
          leased++;
        }
      }
      return new PoolStats.Server(endpoint.name(), state, idle, leased, connecting, maxConnections);
    }
  }

  /**
   * Checks this server's structural invariants; caller holds this lock. Used by the randomized
   * concurrency tests after every step.
   */
  void checkLocked(List<String> problems) {
    assert Thread.holdsLock(this);
    int counted = 0;
    for (PooledConnection<?> c = all.first(); c != null; c = c.nextAll) {
      int s = c.state();
      if (s != PooledConnection.IDLE && s != PooledConnection.LEASED) {
        problems.add(endpoint.name() + ": " + c + " in the open list");
      }
      counted++;
    }
    if (counted != all.size()) {
      problems.add(endpoint.name() + ": open list size " + all.size() + " but " + counted + " linked");
    }
    if (deque.size() != heap.size()) {
      problems.add(endpoint.name() + ": deque " + deque.size() + " vs heap " + heap.size());
    }
    for (PooledConnection<?> c = deque.first(); c != null; c = c.nextIdle) {
      if (c.state() != PooledConnection.IDLE || !c.inList || c.heapIndex < 0) {
        problems.add(endpoint.name() + ": " + c + " in the idle deque");
      }
    }
    if (connecting < 0) {
      problems.add(endpoint.name() + ": connecting " + connecting);
    }
    if (total != all.size() + connecting) {
      problems.add(endpoint.name() + ": total " + total + " != open " + all.size() + " + connecting " + connecting);
    }
    if (all.size() + connecting > maxConnections) {
      problems.add(endpoint.name() + ": " + (all.size() + connecting) + " over the limit " + maxConnections);
    }
  }

  int openLocked() {
    return all.size() + connecting;
  }

  /** Open plus connecting; read under the lock. */
  int totalLocked() {
    synchronized (this) {
      return all.size() + connecting;
    }
  }
}
