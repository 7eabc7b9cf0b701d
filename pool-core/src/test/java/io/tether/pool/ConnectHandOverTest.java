package io.tether.pool;

import io.tether.pool.internal.TestHooks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.TestPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A connect started for an acquire that was then served another way (a release got there first) is
 * not wasted and not repeated: the next acquire that needs a connection takes it over. Without this a
 * burst of waiters under a busy pool leaves a burst of connects behind it.
 */
class ConnectHandOverTest {

  private static TestPool pool(int max) {
    TestPool t = new TestPool(PoolConfig.builder().maxConnections(max));
    return t;
  }

  @Test
  void aWaiterServedByAReleaseLeavesItsConnectToTheNextWaiter() {
    TestPool t = pool(4);
    Lease<Conn> busy = t.lease();
    t.connector.manualConnects = true;
    CompletableFuture<Lease<Conn>> first = t.pool.acquire();
    assertEquals(1, t.connector.pendingConnects(), "no idle connection: a connect starts for the first waiter");

    busy.release();
    assertSame(busy.connection(), first.join().connection(), "the release serves the first waiter");
    assertEquals(1, TestHooks.orphanedConnects(t.pool), "its connect is under way with no acquire on it");

    CompletableFuture<Lease<Conn>> second = t.pool.acquire();
    assertEquals(0, TestHooks.orphanedConnects(t.pool), "adopted");
    assertEquals(1, t.connector.pendingConnects(), "the second waiter takes over the connect under way");
    assertEquals(2, t.connector.connectCalls.get());

    t.connector.completePending(1, e -> false);
    assertTrue(second.isDone());
    assertEquals(2, t.pool.stats().leased());
    assertTrue(TestHooks.checkInvariants(t.pool).isEmpty(), TestHooks.checkInvariants(t.pool).toString());
  }

  @Test
  void aBurstOfWaitersServedByReleasesStartsNoMoreConnectsThanWaitersWithoutOne() {
    TestPool t = pool(64);
    List<Lease<Conn>> leased = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      leased.add(t.lease());
    }
    t.connector.manualConnects = true;
    // Eight rounds of: one more acquire than idle connections, then every lease released.
    for (int round = 0; round < 8; round++) {
      CompletableFuture<Lease<Conn>> extra = t.pool.acquire();
      for (Lease<Conn> l : leased) {
        l.release();
      }
      assertTrue(extra.isDone(), "served by a release");
      leased.clear();
      leased.add(extra.join());
      for (int i = 0; i < 7; i++) {
        leased.add(t.pool.tryAcquire());
      }
    }
    assertEquals(1, t.connector.pendingConnects(), "one connect, handed from waiter to waiter, not eight");
  }

  @Test
  void anOrphanedConnectThatSucceedsIdlesInThePool() {
    TestPool t = pool(4);
    Lease<Conn> busy = t.lease();
    t.connector.manualConnects = true;
    CompletableFuture<Lease<Conn>> waiter = t.pool.acquire();
    busy.release();
    waiter.join().release();
    t.connector.completePending(1, e -> false);
    assertEquals(2, t.pool.stats().idle());
    assertTrue(TestHooks.checkInvariants(t.pool).isEmpty(), TestHooks.checkInvariants(t.pool).toString());
  }

  @Test
  void whenATakenOverConnectFailsItsNewOwnerGetsAConnectOfItsOwn() {
    TestPool t = pool(4);
    Lease<Conn> busy = t.lease();
    t.connector.manualConnects = true;
    CompletableFuture<Lease<Conn>> first = t.pool.acquire();
    busy.release();
    first.join();
    CompletableFuture<Lease<Conn>> second = t.pool.acquire();
    t.connector.completePending(1, e -> true); // refused
    assertFalse(second.isDone());
    assertEquals(1, t.connector.pendingConnects(), "a new connect for the waiter left without one");
    t.connector.completePending(1, e -> false);
    assertTrue(second.isDone());
    assertTrue(TestHooks.checkInvariants(t.pool).isEmpty(), TestHooks.checkInvariants(t.pool).toString());
  }

  @Test
  void aTimedOutWaiterPassesItsConnectOn() {
    TestPool t = pool(1);
    t.connector.manualConnects = true;
    CompletableFuture<Lease<Conn>> first = t.pool.acquire();
    CompletableFuture<Lease<Conn>> second = t.pool.acquire();
    assertEquals(1, t.connector.pendingConnects(), "the limit of 1 holds the second back");
    first.cancel(false);
    t.connector.completePending(1, e -> false);
    assertTrue(second.isDone(), "the cancelled acquire's connect served the next one");
    assertEquals(1, t.connector.connectCalls.get());
  }

  @Test
  void anAcquireAdoptsAWarmUpConnectUnderWayInsteadOfStartingAnother() {
    TestPool t = new TestPool(PoolConfig.builder().minIdle(1));
    t.connector.manualConnects = true;
    t.advance(Duration.ofMillis(1)); // the warm-up task runs
    assertEquals(1, t.connector.pendingConnects());
    assertEquals(1, TestHooks.orphanedConnects(t.pool), "a warm-up connect belongs to no acquire");
    CompletableFuture<Lease<Conn>> f = t.pool.acquire();
    assertEquals(1, t.connector.connectCalls.get(), "adopted, not a second connect");
    assertEquals(0, TestHooks.orphanedConnects(t.pool));
    t.connector.completePending(1, e -> false);
    assertTrue(f.isDone());
    assertTrue(TestHooks.checkInvariants(t.pool).isEmpty(), TestHooks.checkInvariants(t.pool).toString());
  }

  @Test
  void aConnectToOneServerIsNotAdoptedByAnAcquireForAnother() {
    TestPool t = new TestPool(PoolConfig.builder().server("app1", "127.0.0.29", 8080).server("app2", "127.0.0.38", 8080)
        .maxConnections(8));
    Lease<Conn> busy = t.pool.acquire(t.pool.config().servers().get(0)).join();
    t.connector.manualConnects = true;
    CompletableFuture<Lease<Conn>> first = t.pool.acquire(t.pool.config().servers().get(0));
    busy.release(); // serves first: its connect to app1 is orphaned
    assertTrue(first.isDone());
    assertEquals(1, TestHooks.orphanedConnects(t.pool));
    CompletableFuture<Lease<Conn>> forApp2 = t.pool.acquire(t.pool.config().servers().get(1));
    assertEquals(1, TestHooks.orphanedConnects(t.pool), "app1's connect does not suit an acquire for app2");
    assertEquals(2, t.connector.pendingConnects(), "app2 gets a connect of its own");
    t.connector.completePending(2, e -> false);
    assertEquals("app2", forApp2.join().endpoint().name());
    assertEquals(1, t.pool.stats().server("app1").idle(), "the orphaned connect's connection idles");
  }
}
