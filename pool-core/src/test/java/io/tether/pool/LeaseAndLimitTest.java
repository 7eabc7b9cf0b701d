package io.tether.pool;

import io.tether.pool.internal.TestHooks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.TestPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class LeaseAndLimitTest {

  private static PoolConfig.Builder twoServers() {
    return PoolConfig.builder()
        .name("orders")
        .server("app1", "127.0.0.29", 8080)
        .server("app2", "127.0.0.38", 8080)
        .lbIdleTimeout(Duration.ofMinutes(10));
  }

  private static Throwable failure(CompletableFuture<?> f) {
    assertTrue(f.isCompletedExceptionally(), "expected a failed future: " + f);
    return assertThrows(ExecutionException.class, f::get).getCause();
  }

  @Test
  void perServerLimitSpreadsConnectionsAndThenMakesAcquiresWait() {
    TestPool t = new TestPool(twoServers().maxConnections(4).maxConnectionsPerServer(1));
    Lease<Conn> a = t.lease();
    Lease<Conn> b = t.lease();
    assertNotSame(a.endpoint(), b.endpoint(), "least connections puts the second one on the other server");

    CompletableFuture<Lease<Conn>> third = t.pool.acquire();
    assertFalse(third.isDone(), "both servers are at their limit of 1");
    assertEquals(1, t.pool.stats().pending());
    t.advance(Duration.ofSeconds(10));
    AcquireTimeoutException e = assertInstanceOf(AcquireTimeoutException.class, failure(third));
    assertEquals(
        "pool orders: no connection to any server within 10s (limit 4 connections, 2 open, 0 acquires waiting)",
        e.getMessage());
    assertEquals(Duration.ofSeconds(10), e.waited());
    assertEquals(0, t.pool.stats().pending());
    assertEquals(List.of("acquire-timeout any"), t.events.matching("acquire-timeout"));
  }

  @Test
  void timeoutForOneServerNamesIt() {
    TestPool t = new TestPool(twoServers().maxConnections(4).maxConnectionsPerServer(1));
    Endpoint app1 = t.pool.config().servers().get(0);
    Lease<Conn> a = t.pool.acquire(app1).join();
    assertEquals(app1, a.endpoint());
    CompletableFuture<Lease<Conn>> second = t.pool.acquire(app1);
    t.advance(Duration.ofSeconds(10));
    AcquireTimeoutException e = assertInstanceOf(AcquireTimeoutException.class, failure(second));
    assertEquals("app1", e.endpointName());
    assertEquals(1, e.limit());
    assertTrue(e.getMessage().contains("no connection to app1 within 10s (limit 1 connections"), e.getMessage());
  }

  @Test
  void totalLimitHoldsAcrossServers() {
    TestPool t = new TestPool(twoServers().maxConnections(3));
    List<Lease<Conn>> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      held.add(t.lease());
    }
    CompletableFuture<Lease<Conn>> fourth = t.pool.acquire();
    assertFalse(fourth.isDone());
    assertEquals(3, t.connector.connectCalls.get(), "no fourth connection is opened");
    held.get(1).release();
    assertSame(held.get(1).connection(), fourth.join().connection(), "the released one is handed over");
  }

  @Test
  void waitingQueueIsBoundedAndTheExcessIsRejectedAtOnce() {
    TestPool t = new TestPool(twoServers().maxConnections(1).maxPendingAcquires(1));
    Lease<Conn> a = t.lease();
    CompletableFuture<Lease<Conn>> waiting = t.pool.acquire();
    CompletableFuture<Lease<Conn>> rejected = t.pool.acquire();
    PendingAcquireLimitException e = assertInstanceOf(PendingAcquireLimitException.class, failure(rejected));
    assertEquals(
        "pool orders: rejected: 1 acquires already waiting (tether.pool.max-pending-acquires) and all 1 "
            + "connections in use",
        e.getMessage());
    a.release();
    assertSame(a.connection(), waiting.join().connection());
  }

  @Test
  void waitersAreServedInArrivalOrder() {
    TestPool t = new TestPool(twoServers().maxConnections(1));
    Lease<Conn> a = t.lease();
    List<CompletableFuture<Lease<Conn>>> waiters = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      waiters.add(t.pool.acquire());
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int n = i;
      waiters.get(i).thenAccept(l -> order.add(n));
    }
    a.release();
    waiters.get(0).join().release();
    waiters.get(1).join().release();
    assertEquals(List.of(0, 1, 2), order);
  }

  @Test
  void cancellingAWaitingAcquireLeavesNothingBehind() {
    TestPool t = new TestPool(twoServers().maxConnections(1));
    Lease<Conn> a = t.lease();
    int tasksBefore = t.scheduler.pending();
    CompletableFuture<Lease<Conn>> waiting = t.pool.acquire();
    assertEquals(tasksBefore + 1, t.scheduler.pending(), "its timeout is scheduled");
    assertTrue(waiting.cancel(true));
    assertEquals(0, t.pool.stats().pending());
    assertEquals(tasksBefore, t.scheduler.pending(), "its timeout is cancelled");
    a.release();
    assertEquals(1, t.pool.stats().idle(), "the release goes to the idle set, not to the cancelled acquire");
    assertTrue(TestHooks.checkInvariants(t.pool).isEmpty());
  }

  @Test
  void releasingAsBrokenClosesTheConnection() {
    TestPool t = new TestPool(twoServers());
    Lease<Conn> a = t.lease();
    a.releaseBroken(new IllegalStateException("garbage in response"));
    assertEquals(CloseCause.BROKEN, a.connection().closedWith);
    assertEquals(0, t.pool.stats().total());
    // A second use of an ended lease changes nothing; with assertions on (as in tests) it says so loudly.
    assertThrows(StaleLeaseException.class, a::release);
    assertEquals(1, t.connector.closed.size());
  }

  @Test
  void lifoReusesTheMostRecentlyReleasedAndFifoTheLeast() {
    for (ReuseOrder order : ReuseOrder.values()) {
      TestPool t = new TestPool(twoServers().reuseOrder(order).maxConnectionsPerServer(8));
      List<Lease<Conn>> leases = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        leases.add(t.pool.acquire(t.pool.config().servers().get(0)).join());
      }
      for (Lease<Conn> l : leases) {
        t.advance(Duration.ofSeconds(1));
        l.release();
      }
      Conn expected = order == ReuseOrder.LIFO ? leases.get(3).connection() : leases.get(0).connection();
      assertSame(expected, t.pool.tryAcquire().connection(), order.name());
    }
  }

  @Test
  void idleConnectionClosedByThePeerLeavesThePoolAtOnce() {
    TestPool t = new TestPool(twoServers());
    Lease<Conn> a = t.lease();
    Lease<Conn> b = t.lease();
    a.release();
    b.release();
    a.connection().signals.closedByPeer(true);
    b.connection().signals.closedByPeer(false);
    assertEquals(CloseCause.PEER_RESET, a.connection().closedWith);
    assertEquals(CloseCause.PEER_CLOSED, b.connection().closedWith);
    assertEquals(0, t.pool.stats().total());
    assertNull(t.pool.tryAcquire());
  }

  @Test
  void leasedConnectionClosedByThePeerIsDroppedAndItsReleaseIgnored() {
    TestPool t = new TestPool(twoServers());
    Lease<Conn> a = t.lease();
    assertTrue(a.connection().signals.isLeased());
    a.connection().signals.closedByPeer(true);
    assertEquals(0, t.pool.stats().total(), "room for a new connection at once");
    a.release();
    assertEquals(0, t.pool.stats().idle());
    assertTrue(TestHooks.checkInvariants(t.pool).isEmpty());
  }

  @Test
  void deadConnectionFoundAtLeaseIsReplaced() {
    TestPool t = new TestPool(twoServers());
    Lease<Conn> a = t.lease();
    a.release();
    a.connection().alive = false; // the transport saw it die but did not signal
    Lease<Conn> b = t.lease();
    assertNotSame(a.connection(), b.connection());
    assertEquals(CloseCause.PEER_CLOSED, a.connection().closedWith);
  }

  @Test
  void connectFailureFailsTheAcquireWithTheServerNamed() {
    TestPool t = new TestPool(PoolConfig.builder().name("orders").server("app1", "127.0.0.29", 8080));
    t.connector.refusing.add("app1");
    ConnectFailedException e = assertInstanceOf(ConnectFailedException.class, failure(t.pool.acquire()));
    assertEquals("app1", e.endpoint().name());
    assertTrue(e.getMessage().startsWith("pool orders: connect to app1(127.0.0.29:8080) failed: java.net.ConnectException"),
        e.getMessage());
    assertEquals(0, t.pool.stats().total());
  }

  @Test
  void aConnectThatCompletesAfterItsAcquireTimedOutServesTheNextOne() {
    TestPool t = new TestPool(twoServers().maxConnections(1));
    t.connector.manualConnects = true;
    CompletableFuture<Lease<Conn>> first = t.pool.acquire();
    t.advance(Duration.ofSeconds(10));
    assertInstanceOf(AcquireTimeoutException.class, failure(first));
    CompletableFuture<Lease<Conn>> second = t.pool.acquire();
    assertEquals(1, t.connector.pendingConnects(), "the limit of 1 is held by the connect in flight");
    t.connector.completePending(1, e -> false);
    assertTrue(second.isDone());
    assertEquals(1, t.pool.stats().leased());
  }

  @Test
  void acquireFreshOpensANewConnectionEvenWithOneIdle() {
    TestPool t = new TestPool(twoServers());
    Lease<Conn> a = t.lease();
    a.release();
    Lease<Conn> fresh = t.pool.acquireFresh().join();
    assertNotSame(a.connection(), fresh.connection());
    assertEquals(1, t.pool.stats().idle(), "the idle one stays for ordinary acquires");
  }

  @Test
  void acquireFreshOnAFullPoolClosesAnIdleConnectionToMakeRoom() {
    TestPool t = new TestPool(twoServers().maxConnections(1));
    Lease<Conn> a = t.lease();
    a.release();
    Lease<Conn> fresh = t.pool.acquireFresh().join();
    assertEquals(CloseCause.IDLE_EVICTED, a.connection().closedWith);
    assertNotSame(a.connection(), fresh.connection());
    assertTrue(TestHooks.checkInvariants(t.pool).isEmpty());
  }

  @Test
  void acquireFreshWaitingOnAFullPoolGetsANewConnectionWhenOneIsReleased() {
    TestPool t = new TestPool(twoServers().maxConnections(1));
    Lease<Conn> a = t.lease();
    CompletableFuture<Lease<Conn>> fresh = t.pool.acquireFresh();
    assertFalse(fresh.isDone());
    a.release();
    assertTrue(fresh.isDone(), "the released connection was closed to make room");
    assertNotSame(a.connection(), fresh.join().connection());
    assertEquals(CloseCause.IDLE_EVICTED, a.connection().closedWith);
    assertEquals(1, t.pool.stats().total());
  }

  @Test
  void tryAcquireOnAClosedPoolThrows() {
    TestPool t = new TestPool(twoServers());
    t.pool.close();
    assertThrows(PoolClosedException.class, t.pool::tryAcquire);
    assertInstanceOf(PoolClosedException.class, failure(t.pool.acquire()));
  }

  @Test
  void theTransportHearsOfEveryLeaseWhicheverWayItWasAcquired() {
    TestPool t = new TestPool(twoServers());
    Endpoint app1 = t.pool.config().servers().get(0);
    t.lease().release(); // a connect for the acquire: 1
    t.pool.tryAcquire().release(); // idle: 2
    t.pool.acquire(app1).join().release(); // 3
    t.pool.acquireByKey("k").join().release(); // 4
    t.pool.tryAcquireByKey("k").release(); // the key's idle connection: 5
    t.pool.acquireFresh().join().release(); // 6
    assertEquals(6, t.connector.leasedCalls());
  }

  @Test
  void aKeyedLeaseAfterCloseFailsLikeAnyOther() {
    TestPool t = new TestPool(twoServers());
    t.pool.acquireByKey("k").join().release();
    t.pool.close();
    assertThrows(PoolClosedException.class, () -> t.pool.tryAcquireByKey("k"));
    assertThrows(PoolClosedException.class, () -> t.pool.tryAcquire());
  }

  @Test
  void anAcquireForOneServerIsNotServedByAConnectionReleasedToAnother() {
    TestPool t = new TestPool(twoServers().maxConnections(4).maxConnectionsPerServer(1));
    Endpoint app1 = t.pool.config().servers().get(0);
    Lease<Conn> onApp1 = t.pool.acquire(app1).join();
    Lease<Conn> onApp2 = t.lease();
    assertEquals("app2", onApp2.endpoint().name());
    CompletableFuture<Lease<Conn>> forApp1 = t.pool.acquire(app1);
    onApp2.release();
    assertFalse(forApp1.isDone(), "an app2 connection does not serve an acquire for app1");
    assertEquals(1, t.pool.stats().server("app2").idle());
    Conn app1Conn = onApp1.connection();
    onApp1.release();
    assertSame(app1Conn, forApp1.join().connection());
  }

  @Test
  void aFreshAcquireIsNeverServedByAReleasedConnection() {
    TestPool t = new TestPool(twoServers().maxConnections(1));
    Lease<Conn> held = t.lease();
    Conn old = held.connection();
    CompletableFuture<Lease<Conn>> fresh = t.pool.acquireFresh();
    assertFalse(fresh.isDone(), "the pool is full and nothing is idle to close for room");
    held.release();
    Lease<Conn> got = fresh.join();
    assertNotSame(old, got.connection(), "a newly opened connection");
    assertEquals(CloseCause.IDLE_EVICTED, old.closedWith, "the released one was closed to make room for it");
    assertEquals(2, t.connector.connectCalls.get());
  }

  /** With the sweep late, a lease finds an idle connection past its lifetime and closes it as such. */
  @Test
  void anIdleConnectionPastItsLifetimeFoundAtLeaseIsClosedAsExpired() {
    TestPool t = new TestPool(twoServers().eviction(Eviction.builder().jitter(0).maxLifetime(Duration.ofMinutes(5))
        .build()));
    Lease<Conn> a = t.lease();
    t.ticker.advance(Duration.ofMinutes(4));
    a.release(); // idle from 4m: its idle deadline (9m later) is far off, its lifetime ends at 5m
    t.ticker.advance(Duration.ofSeconds(40)); // 4m40s: lifetime less the 500ms margin not reached
    Lease<Conn> again = t.pool.tryAcquire();
    assertSame(a.connection(), again.connection());
    again.release();
    t.ticker.advance(Duration.ofSeconds(20)); // 5m: past its lifetime, idle only 20s
    assertNull(t.pool.tryAcquire());
    assertEquals(CloseCause.LIFETIME_EXPIRED, a.connection().closedWith, "its lifetime, not its idle time");
  }
}
