package io.tether.pool.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Acquires waiting for a connection, in arrival order, bounded. Whoever removes an acquire from the
 * queue owns its completion. All methods lock this object briefly; none calls out while holding it.
 */
final class WaitQueue<C> {
  private PendingAcquire<C> head;
  private PendingAcquire<C> tail;

  /** Read without the lock on hot paths: "is anyone waiting?". */
  volatile int size;

  /** Appends {@code w} unless {@code limit} acquires already wait. */
  synchronized boolean offer(PendingAcquire<C> w, int limit) {
    if (size >= limit) {
      return false;
    }
    w.queued = true;
    w.prev = tail;
    if (tail == null) {
      head = w;
    } else {
      tail.next = w;
    }
    tail = w;
    size++;
    return true;
  }

  /** Removes {@code w} if still queued; the caller then owns its completion. */
  synchronized boolean remove(PendingAcquire<C> w) {
    return unlink(w);
  }

  private boolean unlink(PendingAcquire<C> w) {
    if (!w.queued) {
      return false;
    }
    w.queued = false;
    if (w.prev == null) {
      head = w.next;
    } else {
      w.prev.next = w.next;
    }
    if (w.next == null) {
      tail = w.prev;
    } else {
      w.next.prev = w.prev;
    }
    w.prev = null;
    w.next = null;
    size--;
    return true;
  }

  /** The oldest acquire matching {@code p}, left in the queue; null if none. */
  synchronized PendingAcquire<C> first(Predicate<PendingAcquire<C>> p) {
    for (PendingAcquire<C> w = head; w != null; w = w.next) {
      if (p.test(w)) {
        return w;
      }
    }
    return null;
  }

  /** Removes and returns the oldest acquire matching {@code p}; null if none. */
  synchronized PendingAcquire<C> removeFirst(Predicate<PendingAcquire<C>> p) {
    PendingAcquire<C> w = first(p);
    if (w != null) {
      unlink(w);
    }
    return w;
  }

  /** Every queued acquire matching {@code p}, oldest first, left in the queue. */
  synchronized List<PendingAcquire<C>> all(Predicate<PendingAcquire<C>> p) {
    List<PendingAcquire<C>> out = new ArrayList<>();
    for (PendingAcquire<C> w = head; w != null; w = w.next) {
      if (p.test(w)) {
        out.add(w);
      }
    }
    return out;
  }

  /** Removes and returns everything queued. */
  synchronized List<PendingAcquire<C>> drain() {
    List<PendingAcquire<C>> out = new ArrayList<>();
    while (head != null) {
      out.add(head);
      unlink(head);
    }
    return out;
  }

  /** Runs {@code action} holding the queue lock (for claiming a waiter's connect). */
  synchronized boolean withLock(java.util.function.BooleanSupplier action) {
    return action.getAsBoolean();
  }

  /** Checks, in one critical section, that the count matches the links; for the invariant check. */
  synchronized void check(int limit, List<String> problems) {
    int n = 0;
    for (PendingAcquire<C> w = head; w != null; w = w.next) {
      if (!w.queued) {
        problems.add("unqueued acquire linked in the wait queue");
      }
      n++;
    }
    if (n != size) {
      problems.add("waiter count " + size + " but " + n + " queued");
    }
    if (n > limit) {
      problems.add(n + " waiting, over max-pending-acquires " + limit);
    }
  }
}
