package io.tether.pool.internal;

import io.tether.pool.CloseCause;
import io.tether.pool.Endpoint;
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
  final int maxConnections;
  private final boolean lifo;
  /** This server's hot slots ({@link HotSlots}), held here: no object between the record and them. */
  final PooledConnection<?>[] hot;
  final IdleDeque deque = new IdleDeque();
  final DeadlineHeap heap = new DeadlineHeap();
  final ConnectionList all = new ConnectionList();
  /** Connects under way; guarded by this. */
  int connecting;
  /** Whether a min-idle warm-up connect is under way; guarded by this. */
  private boolean warming;

  /** Published copies for lock-free readers (balancer, emptiness checks). */
  volatile int dequeSize;

  volatile int total;

  /**
   * The effective state, read on every keyed lease; written only by {@link ServerStates}, from the
   * health and administrative inputs it owns in {@link #health}.
   */
  volatile ServerState state = ServerState.UP;

  /** What a release does with a connection here; written only by {@link ServerStates}. */
  volatile int releaseMode = REUSE;

  /** This server's health inputs, owned by {@link ServerStates}. */
  final ServerHealth<C> health = new ServerHealth<>();

  /** The configured weight, 0-256; set at runtime by {@link Servers}. */
  volatile int weight;

  /** While slow start ramps this server's weight up: when the ramp ends (ticker time); else 0. */
  volatile long rampUntil;

  /** Smooth weighted round robin's running weight; guarded by the {@link Balancer}. */
  int currentWeight;

  /**
   * Whether new connections and unkeyed leases may go here: up, weight above 0, and of the lowest
   * priority among such servers (see {@link ServerStates#rotation}). Read on every unkeyed lease.
   */
  volatile boolean balanced = true;

  ServerPool(PoolEngine<C> engine, Endpoint endpoint, int maxConnections, boolean lifo) {
    this.engine = engine;
    this.endpoint = endpoint;
    this.weight = endpoint.weight();
    this.maxConnections = maxConnections;
    this.lifo = lifo;
    this.hot = HotSlots.create(maxConnections);
  }

  // ---------------------------------------------------------------- lease and release

  /**
   * Takes an idle connection and leases it, or returns null. A connection found expired, retired or dead
   * on the way is closed and the search goes on.
   */
  @SuppressWarnings("unchecked")
  PooledConnection<C> pollIdle(long now) {
    if (lifo) {
      PooledConnection<?>[] h = hot;
      int n = HotSlots.count(h);
      int start = HotSlots.stripe(h);
      for (int k = 0; k < n; k++) {
        int i = (start + k) & (n - 1);
        PooledConnection<?> c = HotSlots.get(h, i);
        if (c != null && claimHot(i, c)) {
          PooledConnection<C> pc = (PooledConnection<C>) c;
          if (engine.usable(pc, now)) {
            return pc;
          }
          engine.closing.discardLeased(pc, now);
        }
      }
    }
    if (dequeSize == 0) {
      return null;
    }
    return pollDeque(now);
  }

  /** Own-stripe-only probe, for scanning many servers cheaply before a full scan. */
  @SuppressWarnings("unchecked")
  PooledConnection<C> pollOwnStripe(long now) {
    if (!lifo) {
      return dequeSize == 0 ? null : pollDeque(now);
    }
    int i = HotSlots.stripe(hot);
    PooledConnection<?> c = HotSlots.get(hot, i);
    if (c != null && claimHot(i, c)) {
      PooledConnection<C> pc = (PooledConnection<C>) c;
      if (engine.usable(pc, now)) {
        return pc;
      }
      engine.closing.discardLeased(pc, now);
    }
    return null;
  }

  /**
   * Leases {@code c}, just read from slot {@code i}, by one CAS from IDLE to LEASED_HOT; the slot keeps
   * pointing at it. The state is the only arbiter: a closer claims by CAS too, so exactly one wins.
   */
  private boolean claimHot(int i, PooledConnection<?> c) {
    // Read first: a failed CAS costs as much as a successful one, and leased connections stay in slots.
    if (c.state() != PooledConnection.IDLE || !c.casState(PooledConnection.IDLE, PooledConnection.LEASED_HOT)) {
      return false;
    }
    if (HotSlots.get(hot, i) != c) {
      leftSlot(c);
    }
    return true;
  }

  /**
   * We leased {@code c} through a slot that stopped pointing at it between our read and our CAS: another
   * connection took the slot over, and {@code c} may already sit in the deque. Make it a plain lease and
   * take it out of wherever it went. Rare: needs a release into the same slot inside that window.
   */
  private void leftSlot(PooledConnection<?> c) {
    // Out of the deque first, then LEASED: a deque member is only ever IDLE or, for this moment,
    // LEASED_HOT, which is what the invariant check accepts.
    synchronized (this) {
      if (c.inDeque) {
        unlinkFromDeque(c);
      }
    }
    int j = c.slot;
    if (j >= 0) {
      HotSlots.take(hot, j, c);
    }
    c.casState(PooledConnection.LEASED_HOT, PooledConnection.LEASED); // or the taker did it first
  }

  /**
   * Called by the holder of {@code c}, LEASED_HOT in another thread's slot, as it releases it: if this
   * thread's own slot is empty, {@code c} leaves the other slot (and becomes a plain lease, which the
   * release then links into this thread's slot). Without the move a thread that first found its
   * connection in someone else's slot (the thread that filled the pool, say) keeps using it from there,
   * and every scan by that slot's owner, or by a thread whose scan passes it, contends with it: measured
   * 70-120 ns per acquire+release instead of 18 on two event loops. Once per connection and thread;
   * afterwards its slot is the thread's own.
   */
  boolean adoptIntoOwnStripe(PooledConnection<?> c) {
    int own = HotSlots.stripe(hot);
    int j = c.slot;
    if (j == own || j < 0 || HotSlots.get(hot, own) != null || !HotSlots.take(hot, j, c)) {
      return false;
    }
    c.casState(PooledConnection.LEASED_HOT, PooledConnection.LEASED); // or a slot takeover did it first
    return true;
  }

  void unlinkFromDeque(PooledConnection<?> c) {
    deque.remove(c);
    heap.remove(c);
    dequeSize = deque.size();
  }

  @SuppressWarnings("unchecked")
  private PooledConnection<C> pollDeque(long now) {
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
        // Deque members are IDLE (moves to CLOSING happen under this lock and unlink first), except one
        // leased through a stale slot read: its claimer owns it now, and we just unlinked it for them.
        if (!c.casState(PooledConnection.IDLE, PooledConnection.LEASED)) {
          continue;
        }
      }
      if (engine.usable(c, now)) {
        return c;
      }
      engine.closing.discardLeased(c, now);
    }
  }

  /**
   * Leases one particular idle connection (the one an affinity key used last), by the same protocol as
   * {@link #pollIdle}: out of its container first, then IDLE to LEASED. False if it is not idle in this
   * server's idle set (leased by someone else, closing, or moving between slot and deque).
   */
  boolean claim(PooledConnection<C> c) {
    int i = c.slot;
    if (i >= 0 && HotSlots.get(hot, i) == c) {
      return claimHot(i, c);
    }
    synchronized (this) {
      if (!c.inDeque || !c.casState(PooledConnection.IDLE, PooledConnection.LEASED)) {
        return false;
      }
      unlinkFromDeque(c);
      return true;
    }
  }

  /**
   * Links a connection that just went from LEASED to IDLE into the idle set: into the caller's hot slot
   * (newest released, first leased again), moving whatever the slot pointed at out of the way.
   */
  void linkIdle(PooledConnection<C> c) {
    if (lifo) {
      int i = HotSlots.stripe(hot);
      c.slot = i;
      if (HotSlots.get(hot, i) == null && HotSlots.offer(hot, i, c)) {
        return;
      }
      PooledConnection<?> older = HotSlots.swap(hot, i, c);
      if (older != null && older != c) {
        detach(older);
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

  /**
   * {@code c} was just swapped out of its slot. An idle one goes to the deque; a leased one that still
   * thought itself in the slot is told it is not, so its release links it again. Its holder may release
   * it at any moment, hence the loop: either the CAS to LEASED wins (the holder links it later) or the
   * holder's release wins (and we see IDLE and link it here).
   */
  private void detach(PooledConnection<?> c) {
    while (true) {
      int s = c.state();
      if (s == PooledConnection.LEASED_HOT) {
        if (c.casState(PooledConnection.LEASED_HOT, PooledConnection.LEASED)) {
          return;
        }
      } else if (s == PooledConnection.IDLE) {
        synchronized (this) {
          // Closers move it only under this lock, so IDLE now is IDLE when linked; a stale slot read
          // may still lease it afterwards, and that claimer unlinks it again (leftSlot).
          if (c.state() == PooledConnection.IDLE) {
            c.slot = -1;
            if (!c.inDeque) {
              deque.addFirst(c);
              heap.add(c);
              dequeSize = deque.size();
            }
            return;
          }
        }
      } else {
        return; // LEASED (already told), or closing: a closer unlinks it
      }
    }
  }

  // ---------------------------------------------------------------- opening

  /** A connect slot even at the limits, for an acquire whose timeout asks for one. */
  boolean reserveOverLimit() {
    synchronized (this) {
      if (health.removing) {
        return false;
      }
      engine.connects.reservePoolSlotOverLimit();
      connecting++;
      total = all.size() + connecting;
      return true;
    }
  }

  /**
   * Reserves a slot for one warm-up connect when this server has fewer than {@code minIdle} idle
   * connections and no warm-up connect under way: one at a time, so warm-up is gradual.
   */
  boolean reserveWarmUp(int minIdle) {
    synchronized (this) {
      if (warming || state != ServerState.UP || health.removing) {
        return false;
      }
      int idle = 0;
      for (PooledConnection<?> c = all.first(); c != null && idle < minIdle; c = c.nextAll) {
        idle += c.state() == PooledConnection.IDLE ? 1 : 0;
      }
      if (idle >= minIdle || !reserve()) {
        return false;
      }
      warming = true;
      return true;
    }
  }

  /** The warm-up connect reserved by {@link #reserveWarmUp} ended. */
  synchronized void warmUpEnded() {
    warming = false;
  }

  /** Reserves room for one more connection, against this server's limit and the pool's. */
  boolean reserve() {
    synchronized (this) {
      // Checked under this lock, as serverMaybeGone counts under it: a server being removed never gains
      // a connect after it was found empty and dropped.
      if (health.removing || all.size() + connecting >= maxConnections || !engine.connects.reservePoolSlot()) {
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
        engine.connects.releasePoolSlot();
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
      engine.connects.releasePoolSlot();
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
    c.closedWhileLeased = PooledConnection.leased(from);
    int i = c.slot;
    if (i >= 0) {
      HotSlots.take(hot, i, c);
    }
    if (c.inDeque) {
      deque.remove(c);
      heap.remove(c);
      dequeSize = deque.size();
    }
    if (all.remove(c)) {
      engine.connects.releasePoolSlot();
    }
    total = all.size() + connecting;
    return true;
  }

  /** Closes {@code c} whether idle or leased; false if it was already closing. */
  boolean beginCloseOpen(PooledConnection<C> c, CloseCause cause) {
    synchronized (this) {
      while (true) {
        int s = c.state();
        if (s != PooledConnection.IDLE && !PooledConnection.leased(s)) {
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
      return beginCloseLeasedLocked(c, cause);
    }
  }

  /** LEASED or LEASED_HOT to CLOSING; retried because a slot takeover may flip one to the other. */
  private boolean beginCloseLeasedLocked(PooledConnection<C> c, CloseCause cause) {
    while (true) {
      int s = c.state();
      if (!PooledConnection.leased(s)) {
        return false;
      }
      if (beginClose(c, s, cause)) {
        return true;
      }
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
          unlinkFromDeque(c); // leased through a stale slot read; its claimer owns it
        }
      }
      dequeSize = 0;
      for (int i = 0; i < HotSlots.count(hot); i++) {
        c = HotSlots.get(hot, i);
        if (c == null) {
          continue;
        }
        if (beginClose((PooledConnection<C>) c, PooledConnection.IDLE, cause)) {
          out.add((PooledConnection<C>) c);
        } else if (c.state() >= PooledConnection.CLOSING) {
          HotSlots.take(hot, i, c);
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
        if (beginCloseLeasedLocked((PooledConnection<C>) c, cause)) {
          out.add((PooledConnection<C>) c);
        }
        c = next;
      }
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
