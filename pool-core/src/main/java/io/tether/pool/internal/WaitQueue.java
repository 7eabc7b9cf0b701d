package io.tether.pool.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
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

  /**
   * Queued acquires with a connect of their own under way, kept as {@code connectStarted} changes so
   * that admission at the limit, which runs for every refused acquire when the queue is full, does not
   * walk the queue under the lock.
   */
  private int connecting;

  /** Connects in flight whose acquire was served another way, until one adopts them or they end. */
  private final ArrayDeque<ConnectAttempt<C>> orphans = new ArrayDeque<>();

  /**
   * Appends {@code w} unless {@code limit} acquires already wait for room (Netty's {@code
   * maxPendingAcquires}: an acquire with a connect of its own under way is not pending) and
   * {@code roomForAConnect} gives {@code w} no chance to open one of its own.
   */
  synchronized boolean offer(PendingAcquire<C> w, int limit, boolean roomForAConnect) {
    if (size >= limit && !roomForAConnect && waitingForRoom() >= limit) {
      return false;
    }
    w.queued = true;
    if (w.connectStarted) {
      connecting++;
    }
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

  /**
   * Whether {@code w}, queued and still without a connect of its own, makes the acquires waiting for
   * room more than {@code limit}: it joined on the chance of opening a connection and did not get one.
   */
  synchronized boolean overLimitWithout(PendingAcquire<C> w, int limit) {
    return w.queued && !w.connectStarted && size > limit && waitingForRoom() > limit;
  }

  /** Queued acquires with no connect of their own: those waiting for a release or for room. */
  private int waitingForRoom() {
    return size - connecting;
  }

  /** Sets {@code w.connectStarted}, keeping {@link #connecting} in step for a queued acquire. */
  private void started(PendingAcquire<C> w, boolean value) {
    if (w.connectStarted != value && w.queued) {
      connecting += value ? 1 : -1;
    }
    w.connectStarted = value;
  }

  /** Removes {@code w} if still queued; the caller then owns its completion. */
  synchronized boolean remove(PendingAcquire<C> w) {
    return unlink(w);
  }

  private boolean unlink(PendingAcquire<C> w) {
    if (!w.queued) {
      return false;
    }
    if (w.connectStarted) {
      connecting--;
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
    ConnectAttempt<C> a = w.attempt;
    if (a != null) {
      // Served (or gone) before its connect ended: the connect goes to the next acquire that has none.
      w.attempt = null;
      pass(a);
    }
    return true;
  }

  private void pass(ConnectAttempt<C> a) {
    for (PendingAcquire<C> p = head; p != null; p = p.next) {
      if (a.suits(p)) {
        started(p, true);
        p.attempt = a;
        a.owner = p;
        return;
      }
    }
    a.owner = null;
    orphans.add(a);
  }

  /** What {@link #claimConnect} decided. */
  static final int NO_CONNECT = 0;
  static final int ADOPTED = 1;
  static final int START = 2;

  /**
   * Claims a connect for {@code w}: {@link #NO_CONNECT} if it has one or is no longer queued, {@link
   * #ADOPTED} if it took over an orphaned connect that suits it, else {@link #START}: the caller must
   * start one (and call {@link #attach} or {@link #unclaim}).
   */
  synchronized int claimConnect(PendingAcquire<C> w) {
    if (w.connectStarted || !w.queued) {
      return NO_CONNECT;
    }
    for (Iterator<ConnectAttempt<C>> it = orphans.iterator(); it.hasNext(); ) {
      ConnectAttempt<C> a = it.next();
      if (a.suits(w)) {
        it.remove();
        a.owner = w;
        w.attempt = a;
        started(w, true);
        return ADOPTED;
      }
    }
    started(w, true);
    return START;
  }

  /** The claim of {@link #claimConnect} came to nothing (no room on any server). */
  synchronized void unclaim(PendingAcquire<C> w) {
    if (w.attempt == null) {
      started(w, false);
    }
  }

  /**
   * Records the connect just started for {@code w} to {@code server}; passed on if {@code w} is gone or
   * null (a warm-up connect, which any waiting acquire may adopt).
   */
  synchronized ConnectAttempt<C> attach(PendingAcquire<C> w, ServerPool<C> server) {
    ConnectAttempt<C> a = new ConnectAttempt<>(w, server);
    if (w != null && w.queued && w.attempt == null) {
      w.attempt = a;
    } else {
      pass(a);
    }
    return a;
  }

  /**
   * The connect {@code a} ended: returns the acquire it was for (null if orphaned), which from now on
   * has no connect under way.
   */
  synchronized PendingAcquire<C> finish(ConnectAttempt<C> a) {
    PendingAcquire<C> w = a.owner;
    a.owner = null;
    if (w == null) {
      orphans.remove(a);
      return null;
    }
    if (w.attempt == a) {
      w.attempt = null;
      started(w, false);
    }
    return w;
  }

  /** Connects in flight that no acquire waits on. */
  synchronized int orphans() {
    return orphans.size();
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

  /** Checks, in one critical section, that the count matches the links; for the invariant check. */
  synchronized void check(int limit, int connections, List<String> problems) {
    int n = 0;
    int withConnect = 0;
    for (PendingAcquire<C> w = head; w != null; w = w.next) {
      if (!w.queued) {
        problems.add("unqueued acquire linked in the wait queue");
      }
      n++;
      if (w.connectStarted) {
        withConnect++;
      }
    }
    if (n != size) {
      problems.add("waiter count " + size + " but " + n + " queued");
    }
    if (withConnect != connecting) {
      problems.add("count of queued acquires with a connect " + connecting + " but " + withConnect + " have one");
    }
    // Admission keeps the acquires waiting for room within the limit; an acquire whose own connect failed
    // or went to another acquire waits for room again without being admitted anew, at most one per
    // connection slot.
    int forRoom = waitingForRoom();
    if (forRoom > limit + connections) {
      problems.add(forRoom + " waiting for room, over max-pending-acquires " + limit + " plus max-connections "
          + connections);
    }
    for (ConnectAttempt<C> a : orphans) {
      if (a.owner != null) {
        problems.add("orphaned connect owned by an acquire");
      }
    }
    for (PendingAcquire<C> w = head; w != null; w = w.next) {
      if (w.attempt != null && (w.attempt.owner != w || !w.connectStarted)) {
        problems.add("acquire and its connect disagree on who owns it");
      }
    }
  }
}
