package io.tether.pool.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.tether.pool.Lease;
import io.tether.pool.internal.TestHooks;
import io.tether.pool.testing.FakeConnector;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The lock-free hand-out protocol (hot slot claim by CAS, release into a slot, the sweep's and close's
 * claims by CAS) under jcstress: every interleaving the JVM and the CPU may produce, not only the ones a
 * stress test happens to hit. Each test forbids the three ways a pool can lose its integrity: a
 * connection leased twice, an evicted or closed connection leased, a connection lost (neither idle,
 * leased nor closed).
 */
public final class LeaseRaceTests {
  private LeaseRaceTests() {}

  /** Two threads lease the one idle connection: exactly one gets it. */
  @JCStressTest
  @Outcome(id = {"1, 0", "0, 1"}, expect = ACCEPTABLE, desc = "one lease")
  @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "leased twice")
  @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "lost connection: nobody leased the idle one")
  @State
  public static class TwoLeasesOneConnection {
    final Pools p = Pools.withIdle(1);

    @Actor
    public void first(II_Result r) {
      r.r1 = Pools.id(p.pool.tryAcquire()) == 0 ? 0 : 1;
    }

    @Actor
    public void second(II_Result r) {
      r.r2 = Pools.id(p.pool.tryAcquire()) == 0 ? 0 : 1;
    }
  }

  /** Two threads lease from two idle connections: each gets its own. */
  @JCStressTest
  @Outcome(id = {"1, 2", "2, 1"}, expect = ACCEPTABLE, desc = "one connection each")
  @Outcome(id = {"1, 1", "2, 2"}, expect = FORBIDDEN, desc = "leased twice")
  @Outcome(expect = FORBIDDEN, desc = "lost connection: a lease found no idle connection")
  @State
  public static class TwoLeasesTwoConnections {
    final Pools p = Pools.withIdle(2);

    @Actor
    public void first(II_Result r) {
      r.r1 = Pools.id(p.pool.tryAcquire());
    }

    @Actor
    public void second(II_Result r) {
      r.r2 = Pools.id(p.pool.tryAcquire());
    }
  }

  /**
   * A lease races the sweep, which runs as if the connection's idle deadline had passed while the
   * lease still sees it in time (a sweep on a clock slightly ahead): whoever wins the connection's CAS
   * has it, and the other must not. r1: leased; r2: closed by the sweep.
   */
  @JCStressTest
  @Outcome(id = {"1, 0", "0, 1"}, expect = ACCEPTABLE, desc = "leased, or evicted")
  @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "evicted connection leased")
  @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "lost connection: neither leased nor evicted")
  @State
  public static class LeaseVersusSweep {
    final Pools p = Pools.withIdle(1);
    final FakeConnector.Conn c = p.connector.opened.peek();
    final long late = p.ticker.read() + Pools.EVICT_AFTER.toNanos() * 2;

    @Actor
    public void lease(II_Result r) {
      r.r1 = p.pool.tryAcquire() == null ? 0 : 1;
    }

    @Actor
    public void sweep() {
      TestHooks.maintain(p.pool, late);
    }

    @Arbiter
    public void arbiter(II_Result r) {
      r.r2 = c.closedWith != null ? 1 : 0;
    }
  }

  /** A lease races {@code closeIdle()}: r1 leased, r2 closed. */
  @JCStressTest
  @Outcome(id = {"1, 0", "0, 1"}, expect = ACCEPTABLE, desc = "leased, or closed")
  @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "closed connection leased")
  @Outcome(id = "0, 0", expect = FORBIDDEN, desc = "lost connection: neither leased nor closed")
  @State
  public static class LeaseVersusCloseIdle {
    final Pools p = Pools.withIdle(1);
    final FakeConnector.Conn c = p.connector.opened.peek();

    @Actor
    public void lease(II_Result r) {
      r.r1 = p.pool.tryAcquire() == null ? 0 : 1;
    }

    @Actor
    public void closeIdle() {
      p.pool.transport().closeIdle();
    }

    @Arbiter
    public void arbiter(II_Result r) {
      r.r2 = c.closedWith != null ? 1 : 0;
    }
  }

  /**
   * A release races a lease by another thread: the lease gets the connection or finds none, and
   * afterwards the pool counts exactly one open connection. r1: leased; r2: idle plus leased.
   */
  @JCStressTest
  @Outcome(id = {"1, 1", "0, 1"}, expect = ACCEPTABLE, desc = "leased after the release, or before it")
  @Outcome(id = {"1, 0", "0, 0"}, expect = FORBIDDEN, desc = "lost connection")
  @Outcome(expect = FORBIDDEN, desc = "counted twice")
  @State
  public static class ReleaseVersusLease {
    final Pools p = Pools.withIdle(1);
    final Lease<FakeConnector.Conn> held = p.pool.tryAcquire();

    @Actor
    public void release() {
      held.release();
    }

    @Actor
    public void lease(II_Result r) {
      r.r1 = p.pool.tryAcquire() == null ? 0 : 1;
    }

    @Arbiter
    public void arbiter(II_Result r) {
      r.r2 = p.pool.stats().idle() + p.pool.stats().leased();
    }
  }

  /**
   * Two threads release one lease through the same handle (misuse): one release counts, the other
   * changes nothing, so afterwards exactly one lease can be made and the pool's invariants hold. r1:
   * leases made afterwards; r2: invariants violated.
   */
  @JCStressTest
  @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "released once")
  @Outcome(id = "2, 0", expect = FORBIDDEN, desc = "released twice: leased twice")
  @Outcome(expect = FORBIDDEN, desc = "lost connection or broken invariants")
  @State
  public static class DoubleReleaseOfOneHandle {
    final Pools p = Pools.withIdle(1);
    final Lease<FakeConnector.Conn> held = p.pool.tryAcquire();

    @Actor
    public void first() {
      release();
    }

    @Actor
    public void second() {
      release();
    }

    private void release() {
      try {
        held.release();
      } catch (RuntimeException misuse) {
        // a StaleLeaseException where assertions are on: reported, and harmless, which is the point
      }
    }

    @Arbiter
    public void arbiter(II_Result r) {
      int leases = 0;
      while (p.pool.tryAcquire() != null) {
        leases++;
        if (leases > 2) {
          break;
        }
      }
      r.r1 = leases;
      r.r2 = TestHooks.checkInvariants(p.pool).size();
    }
  }
}
