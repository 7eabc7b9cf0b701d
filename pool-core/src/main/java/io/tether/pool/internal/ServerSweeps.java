package io.tether.pool.internal;

import io.tether.pool.CloseCause;
import io.tether.pool.PoolStats;
import java.util.ArrayList;
import java.util.List;

/**
 * The walks over all of one server's connections, each under the server's lock: the sweep (idle
 * deadlines and lifetimes), new deadlines after a reconfigure, the leak scan, the rebalancer's marks and
 * the stats snapshot. Kept apart from {@link ServerPool}, which holds the lease, release, connect and
 * close paths.
 */
final class ServerSweeps {
  private ServerSweeps() {}

  /**
   * Claims every idle connection whose deadline has passed, and flags leased ones past their lifetime.
   * Cost: O(expired x log n) for the deque, the fixed number of hot slots, and for lifetimes the
   * connections within one jitter window of expiring.
   *
   * @return the earliest future deadline of a connection still open, or {@code Long.MAX_VALUE}
   */
  @SuppressWarnings("unchecked")
  static <C> long sweep(ServerPool<C> sp, long now, long minLifetimeNanos, List<PooledConnection<C>> out) {
    long next = Long.MAX_VALUE;
    synchronized (sp) {
      PooledConnection<?> c;
      while ((c = sp.heap.peek()) != null && c.evictAt <= now) {
        PooledConnection<C> pc = (PooledConnection<C>) c;
        if (sp.beginClose(pc, PooledConnection.IDLE, CloseCause.IDLE_EVICTED)) {
          out.add(pc);
        } else {
          sp.unlinkFromDeque(pc); // leased through a stale slot read; its claimer owns it
        }
      }
      if (c != null) {
        next = c.evictAt;
      }
      for (int i = 0; i < HotSlots.count(sp.hot); i++) {
        c = HotSlots.get(sp.hot, i);
        if (c == null) {
          continue;
        }
        int s = c.state();
        if (s >= PooledConnection.CLOSING) {
          HotSlots.take(sp.hot, i, c); // tombstone
          continue;
        }
        if (s != PooledConnection.IDLE) {
          continue; // leased; slots keep pointing at their leased connections
        }
        long due = Math.min(c.evictAt, c.lifetimeDeadline);
        if (due <= now) {
          CloseCause cause = c.evictAt <= now ? CloseCause.IDLE_EVICTED : CloseCause.LIFETIME_EXPIRED;
          if (sp.beginClose((PooledConnection<C>) c, PooledConnection.IDLE, cause)) {
            out.add((PooledConnection<C>) c);
          }
        } else {
          next = Math.min(next, due);
        }
      }
      if (minLifetimeNanos > 0) {
        next = Math.min(next, sweepLifetimes(sp, now, minLifetimeNanos, out));
      }
    }
    return next;
  }

  @SuppressWarnings("unchecked")
  private static <C> long sweepLifetimes(ServerPool<C> sp, long now, long minLifetimeNanos,
      List<PooledConnection<C>> out) {
    long next = Long.MAX_VALUE;
    PooledConnection<?> c = sp.all.first();
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
          if (sp.beginClose((PooledConnection<C>) c, s, CloseCause.LIFETIME_EXPIRED)) {
            out.add((PooledConnection<C>) c);
          }
        } else if (PooledConnection.leased(s)) {
          c.retire = CloseCause.LIFETIME_EXPIRED;
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
  static long reconfigure(ServerPool<?> sp, Deadlines e) {
    long earliest = Long.MAX_VALUE;
    synchronized (sp) {
      for (PooledConnection<?> c = sp.all.first(); c != null; c = c.nextAll) {
        c.idleBudget = e.idleBudget(c.idleDraw, c.capNanos, c.used);
        c.lifetimeDeadline = e.lifetimeDeadline(c.openedAt, c.lifeDraw);
        if (c.state() == PooledConnection.IDLE) {
          boolean inHeap = sp.heap.remove(c);
          c.evictAt = c.lastActivity + c.idleBudget;
          if (inHeap) {
            sp.heap.add(c);
          }
          earliest = Math.min(earliest, Math.min(c.evictAt, c.lifetimeDeadline));
        }
      }
    }
    return earliest;
  }

  /** Leased connections held since before {@code cutoff} and not yet reported, marked reported. */
  static <C> List<PooledConnection<C>> suspectedLeaks(ServerPool<C> sp, long cutoff) {
    List<PooledConnection<C>> out = new java.util.ArrayList<>();
    synchronized (sp) {
      for (PooledConnection<?> c = sp.all.first(); c != null; c = c.nextAll) {
        if (PooledConnection.leased(c.state()) && c.acquireSite != null && !c.leakReported
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

  /**
   * Marks up to {@code target} of this server's connections, oldest first, to close when next released
   * ({@link CloseCause#REBALANCED}); connections marked before count toward it. Nothing closes here:
   * a marked connection goes on serving until its holder releases it, so without demand nothing shrinks.
   */
  static int markForRebalance(ServerPool<?> sp, int target) {
    synchronized (sp) {
      int marked = 0;
      for (PooledConnection<?> c = sp.all.first(); c != null; c = c.nextAll) {
        marked += c.retire != null ? 1 : 0;
      }
      for (PooledConnection<?> c = sp.all.first(); c != null && marked < target; c = c.nextAll) {
        if (c.retire == null && c.state() < PooledConnection.CLOSING) {
          c.retire = CloseCause.REBALANCED;
          marked++;
        }
      }
      return marked;
    }
  }

  /** The pool's counts: the sum of every server's {@link #snapshot}, each taken under its own lock. */
  static PoolStats stats(String pool, ServerPool<?>[] all, int waiting, int maxConnections, int maxPending) {
    List<PoolStats.Server> list = new ArrayList<>(all.length);
    int idle = 0;
    int leased = 0;
    int connecting = 0;
    for (ServerPool<?> sp : all) {
      PoolStats.Server s = snapshot(sp);
      list.add(s);
      idle += s.idle();
      leased += s.leased();
      connecting += s.connecting();
    }
    return new PoolStats(pool, idle, leased, connecting, waiting, maxConnections, maxPending, list);
  }

  /** Counts under the lock; idle and leased may trade places meanwhile, their sum may not. */
  static PoolStats.Server snapshot(ServerPool<?> sp) {
    synchronized (sp) {
      int idle = 0;
      int leased = 0;
      for (PooledConnection<?> c = sp.all.first(); c != null; c = c.nextAll) {
        int s = c.state();
        if (s == PooledConnection.IDLE) {
          idle++;
        } else {
          leased++;
        }
      }
      return new PoolStats.Server(sp.endpoint.name(), sp.state, idle, leased, sp.connecting, sp.maxConnections);
    }
  }
}
