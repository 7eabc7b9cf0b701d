package io.tether.pool.internal;

import io.tether.pool.OnAcquireTimeout;
import java.util.ArrayList;
import java.util.List;

/**
 * Every invariant a pool keeps, checked at one instant for tests (the fuzzer after each step, the stress
 * tests at the end): per server ({@link #checkServerLocked}), open plus connecting over servers equals
 * the pool-wide count the limit is enforced on, neither limit is exceeded, the wait queue is sound.
 */
final class Invariants {
  private Invariants() {}

  /** The problems found; empty when every invariant holds. */
  static <C> List<String> check(PoolEngine<C> engine) {
    // Membership changes wait for the check (they are serialized on the Servers monitor): a server
    // added meanwhile would hold reservations the check cannot see.
    synchronized (engine.servers) {
      return checkCurrentServers(engine);
    }
  }

  private static <C> List<String> checkCurrentServers(PoolEngine<C> engine) {
    List<String> problems = new ArrayList<>();
    ServerPool<C>[] all = engine.members.all();
    // All server locks at once, so the counts are taken at one instant.
    lockAllThen(all, 0, () -> {
      int sum = 0;
      for (ServerPool<C> sp : all) {
        checkServerLocked(sp, problems);
        sum += sp.openLocked();
      }
      int reserved = engine.connects.reserved();
      if (sum != reserved) {
        problems.add("idle + leased + connecting over servers = " + sum + " but pool total = " + reserved);
      }
      // on-acquire-timeout=connect opens beyond the limits on purpose (Netty's AcquireTimeoutAction.NEW).
      boolean limited = engine.config.onAcquireTimeout() != OnAcquireTimeout.CONNECT;
      if (limited && reserved > engine.connects.limit()) {
        problems.add("pool total " + reserved + " over max-connections " + engine.connects.limit());
      }
      engine.waiting.queue.check(engine.config.maxPendingAcquires(), engine.connects.limit(), problems);
    });
    return problems;
  }

  /**
   * Checks one server's structural invariants; the caller holds its lock. Used by the randomized
   * concurrency tests after every step.
   */
  private static void checkServerLocked(ServerPool<?> sp, List<String> problems) {
    assert Thread.holdsLock(sp);
    int counted = 0;
    for (PooledConnection<?> c = sp.all.first(); c != null; c = c.nextAll) {
      int s = c.state();
      if (s != PooledConnection.IDLE && !PooledConnection.leased(s)) {
        problems.add(sp.endpoint.name() + ": " + c + " in the open list");
      }
      counted++;
    }
    if (counted != sp.all.size()) {
      problems.add(sp.endpoint.name() + ": open list size " + sp.all.size() + " but " + counted + " linked");
    }
    if (sp.deque.size() != sp.heap.size()) {
      problems.add(sp.endpoint.name() + ": deque " + sp.deque.size() + " vs heap " + sp.heap.size());
    }
    for (PooledConnection<?> c = sp.deque.first(); c != null; c = c.nextIdle) {
      // LEASED_HOT is allowed for the moment between a stale slot claim and its leftSlot.
      int s = c.state();
      if ((s != PooledConnection.IDLE && s != PooledConnection.LEASED_HOT) || !c.inList || c.heapIndex < 0) {
        problems.add(sp.endpoint.name() + ": " + c + " in the idle deque");
      }
    }
    if (sp.connecting < 0) {
      problems.add(sp.endpoint.name() + ": connecting " + sp.connecting);
    }
    if (sp.total != sp.all.size() + sp.connecting) {
      problems.add(sp.endpoint.name() + ": total " + sp.total + " != open " + sp.all.size() + " + connecting " + sp.connecting);
    }
    if (sp.all.size() + sp.connecting > sp.maxConnections
        && sp.engine.config.onAcquireTimeout() != OnAcquireTimeout.CONNECT) {
      problems.add(sp.endpoint.name() + ": " + (sp.all.size() + sp.connecting) + " over the limit " + sp.maxConnections);
    }
  }

  private static <C> void lockAllThen(ServerPool<C>[] all, int i, Runnable action) {
    if (i == all.length) {
      action.run();
      return;
    }
    synchronized (all[i]) {
      lockAllThen(all, i + 1, action);
    }
  }
}
