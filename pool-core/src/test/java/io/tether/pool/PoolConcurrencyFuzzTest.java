package io.tether.pool;

import io.tether.pool.internal.TestHooks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.TestPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded random lease / release / evict / cancel / close steps from several threads against one pool
 * on fake time. After every step the pool's invariants are checked with all its locks held (idle +
 * leased + connecting equals the pool's own total, no limit exceeded, containers consistent), and
 * detectors catch the races that matter: the monitor closing a leased connection, an acquire getting a
 * closed connection, or one connection leased twice.
 *
 * <p>Rerun a failure with {@code -Dtether.fuzz.seed=<seed printed in the failure>}.
 */
class PoolConcurrencyFuzzTest {
  private static final int THREADS = 4;
  private static final int STEPS_PER_THREAD = Integer.getInteger("tether.fuzz.steps", 30_000);

  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final Set<Conn> held = ConcurrentHashMap.newKeySet();

  /**
   * Peer closes and server state changes are injected alone (write lock) and every other step runs
   * shared (read lock), so "a lease got a closed connection" means the pool handed out one it knew was
   * closing, not that the peer or a maintenance shutdown closed it a nanosecond after a correct
   * hand-out, which no pool can prevent. See {@code checkObserved} for leases that arrive by future.
   */
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void evictionNeverClosesALeasedConnectionAndCountsNeverDrift() throws Exception {
    long seed = Long.getLong("tether.fuzz.seed", System.nanoTime());
    run(seed, THREADS, STEPS_PER_THREAD, ReuseOrder.LIFO);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void fifoReuseKeepsTheSameInvariants() throws Exception {
    long seed = Long.getLong("tether.fuzz.seed", System.nanoTime());
    run(seed, THREADS, STEPS_PER_THREAD / 3, ReuseOrder.FIFO);
  }

  /**
   * The replayable mode: one thread, every random choice from the seed (the operations, the engine's
   * jitter and check spreading, the order of tasks due at the same instant, stalls of the scheduler), so
   * a failure reproduces exactly from the seed it prints. Two runs of one seed must leave the same trace.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aSingleThreadedRunReplaysExactlyFromItsSeed() throws Exception {
    long seed = Long.getLong("tether.fuzz.seed", System.nanoTime());
    StringBuilder first = new StringBuilder();
    run(seed, 1, STEPS_PER_THREAD / 2, ReuseOrder.LIFO, first);
    violations.clear();
    held.clear();
    StringBuilder second = new StringBuilder();
    run(seed, 1, STEPS_PER_THREAD / 2, ReuseOrder.LIFO, second);
    assertEquals(first.length(), second.length(), "seed " + seed + ": traces differ in length");
    assertEquals(first.toString().hashCode(), second.toString().hashCode(), "seed " + seed + ": traces differ");
    assertTrue(first.toString().equals(second.toString()), "seed " + seed + ": traces differ");
  }

  private void run(long seed, int threads, int steps, ReuseOrder order) throws Exception {
    run(seed, threads, steps, order, null);
  }

  private void run(long seed, int threads, int steps, ReuseOrder order, StringBuilder trace) throws Exception {
    PoolConfig.Builder config =
            PoolConfig.builder()
                .server("app1", "127.0.0.29", 8080)
                .server("app2", "127.0.0.38", 8080)
                .maxConnections(6)
                .maxConnectionsPerServer(4)
                .maxPendingAcquires(8)
                .acquireTimeout(Duration.ofSeconds(2))
                .lbIdleTimeout(Duration.ofSeconds(10))
                // The seed picks min-idle 0, 1 or 2: warm-up connects race the test threads too.
                .minIdle((int) Math.floorMod(seed, 3))
                .eviction(Eviction.builder().maxLifetime(Duration.ofSeconds(12))
                    .lbFirstRequestTimeout(Duration.ofSeconds(4)).build()).reuseOrder(order);
    TestPool t = trace != null ? TestPool.seeded(config, true, seed) : new TestPool(config, true);
    t.connector.manualConnects = true;
    t.connector.onClose =
        (c, cause) -> {
          // The idle monitor must never close a leased connection (shutting a server's sessions down
          // for drain or maintenance may, and says so with endpoint-down).
          if (held.contains(c) && (cause == CloseCause.IDLE_EVICTED || cause == CloseCause.LIFETIME_EXPIRED)) {
            violations.add("closed as " + cause + " while leased by a test thread: " + c);
          }
        };
    AtomicInteger totalSteps = new AtomicInteger();
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Thread> workers = new ArrayList<>();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    for (int i = 0; i < threads; i++) {
      SplittableRandom random = new SplittableRandom(seed + i);
      Thread w =
          new Thread(
              () -> {
                Actor actor = new Actor(t, random);
                try {
                  start.await();
                  for (int s = 0; s < steps && violations.isEmpty(); s++) {
                    actor.step();
                    totalSteps.incrementAndGet();
                    List<String> problems = TestHooks.checkInvariants(t.pool);
                    if (!problems.isEmpty()) {
                      violations.add("after " + actor.last + ": " + problems);
                    }
                    if (trace != null) {
                      trace.append(actor.last).append(' ').append(t.pool.stats()).append(' ')
                          .append(t.ticker.read()).append('\n');
                    }
                  }
                  actor.finish();
                } catch (Throwable e) {
                  errors.add(e);
                }
              },
              "fuzz-" + i);
      workers.add(w);
    }
    if (trace != null) {
      // Replays run on the test's own thread: the engine's stripes and scan order follow thread ids.
      workers.get(0).run();
    } else {
      workers.forEach(Thread::start);
      for (Thread w : workers) {
        w.join();
      }
    }
    if (!errors.isEmpty()) {
      AssertionError e = new AssertionError("seed " + seed + ": worker failed", errors.get(0));
      throw e;
    }
    assertTrue(violations.isEmpty(), "seed " + seed + ": " + violations);
    assertTrue(totalSteps.get() >= threads * steps, "all steps ran: " + totalSteps.get());
    // A run that never reached a path proves nothing about it.
    for (CloseCause cause :
        List.of(CloseCause.IDLE_EVICTED, CloseCause.LIFETIME_EXPIRED, CloseCause.PEER_CLOSED,
            CloseCause.PEER_RESET, CloseCause.BROKEN)) {
      assertTrue(t.connector.closedWith(cause) > 0, "seed " + seed + ": no close as " + cause);
    }
    assertTrue(t.events.matching("acquire-timeout").size() > 0, "seed " + seed + ": no acquire timed out");
    assertTrue(t.events.matching("connect-failed").size() > 0, "seed " + seed + ": no connect failed");
    assertTrue(t.connector.closedWith(CloseCause.ENDPOINT_DOWN) > 0, "seed " + seed + ": no drain or maintenance close");
    assertTrue(t.events.matching("state app3 DRAIN->MAINT").size() > 0, "seed " + seed + ": app3 never left the pool");
    System.out.printf("fuzz %s seed %d: %d steps, %d connections, closes %s, %d timeouts, %d rejected%n",
        order, seed, totalSteps.get(), t.connector.opened.size(), closeCounts(t),
        t.events.matching("acquire-timeout").size(), t.events.matching("acquire-rejected").size());

    // Quiesce: servers ready, connects finished, timeouts fired; check counts against the connector's truth.
    t.pool.setServerState("app1", ServerState.UP);
    t.pool.setServerState("app2", ServerState.UP);
    t.connector.completePending(Integer.MAX_VALUE, e -> false);
    t.scheduler.advance(Duration.ofSeconds(3));
    PoolStats stats = t.pool.stats();
    assertEquals(0, stats.leased(), "seed " + seed + ": " + stats);
    assertEquals(0, stats.pending(), "seed " + seed + ": " + stats);
    assertEquals(t.connector.open().size(), stats.idle(), "seed " + seed + ": open connections are exactly the idle ones");
    assertEquals(stats.total(), TestHooks.reservedConnections(t.pool), "seed " + seed);

    CompletableFuture<Void> closing = t.pool.closeAsync();
    // A connect started since the quiesce (min-idle warm-up) must answer for the close to finish.
    t.connector.completePending(Integer.MAX_VALUE, e -> false);
    closing.get(5, TimeUnit.SECONDS);
    assertEquals(List.of(), t.connector.open(), "seed " + seed + ": closing the pool closed everything");
    assertEquals(0, TestHooks.scheduledTasks(t.pool), "seed " + seed);
    assertEquals(0, t.scheduler.pending(), "seed " + seed);
    for (Conn c : t.connector.opened) {
      assertEquals(1, c.closeCalls.get(), "seed " + seed + ": closed exactly once: " + c);
    }
  }

  private static String closeCounts(TestPool t) {
    StringBuilder b = new StringBuilder();
    for (CloseCause c : CloseCause.values()) {
      b.append(c.id()).append('=').append(t.connector.closedWith(c)).append(' ');
    }
    return b.toString().trim();
  }

  /** One thread's view: its leases and its waiting acquires. */
  private final class Actor {
    final TestPool t;
    final SplittableRandom random;
    final List<Lease<Conn>> mine = new ArrayList<>();
    final List<CompletableFuture<Lease<Conn>>> waiting = new ArrayList<>();
    String last = "start";

    Actor(TestPool t, SplittableRandom random) {
      this.t = t;
      this.random = random;
    }

    void step() {
      int r = random.nextInt(100);
      // Peer closes and server state changes may close leased connections legitimately: run them alone.
      boolean closesLeased = (r >= 64 && r < 69) || (r >= 82 && r < 83);
      Lock lock = closesLeased ? gate.writeLock() : gate.readLock();
      lock.lock();
      try {
        step(r);
      } finally {
        lock.unlock();
      }
    }

    private void step(int r) {
      if (r < 15) {
        last = "tryAcquire";
        Lease<Conn> l = t.pool.tryAcquire();
        if (l != null) {
          check(l.connection());
          if (!held.add(l.connection())) {
            violations.add("leased twice: " + l.connection());
          }
          mine.add(l);
        }
      } else if (r < 30) {
        last = "acquire";
        int kind = random.nextInt(8);
        CompletableFuture<Lease<Conn>> f = kind == 0 ? t.pool.acquireFresh()
            : kind < 3 ? t.pool.acquireByKey("key-" + random.nextInt(12)) : t.pool.acquire();
        waiting.add(f);
        collect();
      } else if (r < 40) {
        last = "collect";
        collect();
      } else if (r < 60) {
        last = "release";
        if (!mine.isEmpty()) {
          Lease<Conn> l = mine.remove(random.nextInt(mine.size()));
          held.remove(l.connection());
          l.release();
        }
      } else if (r < 64) {
        last = "releaseBroken";
        if (!mine.isEmpty()) {
          Lease<Conn> l = mine.remove(random.nextInt(mine.size()));
          held.remove(l.connection());
          l.releaseBroken(null);
        }
      } else if (r < 69) {
        last = "peerClose";
        List<Conn> open = t.connector.open();
        if (!open.isEmpty()) {
          Conn c = open.get(random.nextInt(open.size()));
          held.remove(c); // a leased connection closed by the peer may be closed by the pool
          c.signals.closedByPeer(random.nextBoolean());
        }
      } else if (r < 74) {
        last = "cancel";
        if (!waiting.isEmpty()) {
          CompletableFuture<Lease<Conn>> f = waiting.remove(random.nextInt(waiting.size()));
          if (!f.cancel(true) && !f.isCompletedExceptionally()) {
            leased(f.join());
          }
        }
      } else if (r < 80) {
        last = "advanceTime";
        t.scheduler.advance(Duration.ofMillis(1 + random.nextInt(random.nextBoolean() ? 50 : 5_000)));
      } else if (r < 82) {
        // The scheduler stalls (a blocked event loop, a GC pause): time passes, no task runs. Leases in
        // the meantime must still respect every deadline; the next advance runs what is overdue.
        last = "stall";
        t.ticker.advance(Duration.ofMillis(1 + random.nextInt(3_000)));
      } else if (r < 83) {
        int pick = random.nextInt(12);
        if (pick >= 10) {
          // Membership: app3 joins, or starts leaving (a drain that ends with its last connection).
          boolean present = t.pool.stats().servers().stream().anyMatch(x -> x.name().equals("app3"));
          last = present ? "removeServer" : "addServer";
          try {
            if (present) {
              t.pool.removeServer("app3");
            } else {
              t.pool.addServer(Endpoint.of("app3", "127.0.0.39", 8080));
            }
          } catch (IllegalArgumentException stillLeaving) {
            // added back while its last connection is still out: refused, as documented
          }
          return;
        }
        last = "serverState";
        String server = random.nextBoolean() ? "app1" : "app2";
        t.pool.setServerState(server, pick == 0 ? ServerState.MAINT : pick < 3 ? ServerState.DRAIN : ServerState.UP);
      } else if (r < 92) {
        last = "completeConnects";
        t.connector.completePending(1 + random.nextInt(3), e -> random.nextInt(10) == 0);
      } else {
        last = "activity";
        if (!mine.isEmpty()) {
          mine.get(random.nextInt(mine.size())).connection().signals.activity();
        }
      }
    }

    /**
     * At hand-out on this thread (tryAcquire) a lease must be open. A future's lease is checked when its
     * owner first sees it: not from a completion callback, which CompletableFuture may run after the
     * owner has already seen (and used, and closed) the lease. In between, only an exclusive peer
     * close or state change may close it; the pool's own causes, or "broken" (which would need a second
     * holder), may not.
     */
    private void checkObserved(Conn c) {
      CloseCause why = c.closedWith;
      if (c.closeCalls.get() != 0
          && (why == CloseCause.IDLE_EVICTED || why == CloseCause.LIFETIME_EXPIRED || why == CloseCause.BROKEN)) {
        check(c);
      }
    }

    private void check(Conn c) {
      if (c.closeCalls.get() != 0) {
        java.io.StringWriter w = new java.io.StringWriter();
        c.closedAt.printStackTrace(new java.io.PrintWriter(w));
        w.write("\n  handed out at:\n");
        new Throwable("on " + Thread.currentThread().getName()).printStackTrace(new java.io.PrintWriter(w));
        violations.add("leased a closed connection " + c + " (" + c.closedWith + ")\n" + w);
      }
    }

    /** Records ownership of a lease from a future, checking it as its owner first sees it. */
    private void leased(Lease<Conn> l) {
      Conn c = l.connection();
      checkObserved(c);
      if (!held.add(c)) {
        violations.add("leased twice: " + c);
      }
      mine.add(l);
    }

    private void collect() {
      for (int i = waiting.size() - 1; i >= 0; i--) {
        CompletableFuture<Lease<Conn>> f = waiting.get(i);
        if (f.isDone()) {
          waiting.remove(i);
          if (!f.isCompletedExceptionally()) {
            leased(f.join());
          }
        }
      }
    }

    void finish() {
      for (CompletableFuture<Lease<Conn>> f : waiting) {
        if (!f.cancel(true) && !f.isCompletedExceptionally()) {
          leased(f.join());
        }
      }
      waiting.clear();
      for (Lease<Conn> l : mine) {
        held.remove(l.connection());
        l.release();
      }
      mine.clear();
    }
  }
}
