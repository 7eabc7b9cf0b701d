package io.tether.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.TestPool;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * {@code max-pending-acquires} counts what Netty's {@code maxPendingAcquires} counts: acquires waiting
 * for a release or for room. An acquire that opens a connection of its own is not pending, so a limit of
 * 0 still lets a pool open its connections, and a connect under way does not use up the limit.
 */
class PendingLimitTest {

  private static TestPool pool(int maxConnections, int maxPending) {
    TestPool t = new TestPool(PoolConfig.builder().maxConnections(maxConnections).maxPendingAcquires(maxPending));
    t.connector.manualConnects = true;
    return t;
  }

  private static void assertRejected(CompletableFuture<Lease<Conn>> f) {
    assertTrue(f.isCompletedExceptionally(), "rejected at once");
    CompletionException e = assertThrows(CompletionException.class, f::join);
    assertInstanceOf(PendingAcquireLimitException.class, e.getCause());
  }

  @Test
  void withNoWaitingAllowedAnAcquireStillOpensAConnectionWhileThereIsRoom() {
    TestPool t = pool(2, 0);
    CompletableFuture<Lease<Conn>> a = t.pool.acquire();
    CompletableFuture<Lease<Conn>> b = t.pool.acquire();
    assertFalse(a.isDone());
    assertFalse(b.isDone());
    assertEquals(2, t.connector.completePending(2, e -> false));
    assertTrue(a.join() != null && b.join() != null);
    assertRejected(t.pool.acquire()); // both connections in use: it would have to wait
    a.join().release();
    Lease<Conn> again = t.pool.acquire().join();
    assertTrue(again != null, "an idle connection needs no waiting");
  }

  @Test
  void aConnectUnderWayDoesNotUseUpTheLimit() {
    TestPool t = pool(1, 1);
    CompletableFuture<Lease<Conn>> connecting = t.pool.acquire();
    CompletableFuture<Lease<Conn>> waiting = t.pool.acquire(); // waits for the one connection: pending 1
    assertFalse(waiting.isDone(), "admitted: the first acquire is connecting, not pending");
    assertRejected(t.pool.acquire()); // pending 2 > 1
    assertEquals(1, t.connector.completePending(1, e -> false));
    connecting.join().release();
    assertTrue(waiting.isDone() && !waiting.isCompletedExceptionally(), "served by the release");
    assertEquals(1, t.connector.connectCalls.get(), "one connection for both");
  }

  @Test
  void aRejectionIsReportedAndItsMessageNamesBothLimits() {
    TestPool t = pool(1, 0);
    t.connector.manualConnects = false;
    Lease<Conn> held = t.lease();
    CompletableFuture<Lease<Conn>> f = t.pool.acquire();
    PendingAcquireLimitException e = assertInstanceOf(PendingAcquireLimitException.class,
        assertThrows(CompletionException.class, f::join).getCause());
    assertEquals("pool app: rejected: 0 acquires already waiting (tether.pool.max-pending-acquires) and all 1 "
        + "connections in use", e.getMessage().replaceFirst("pool [^:]*:", "pool app:"));
    assertEquals(java.util.List.of("acquire-rejected"), t.events.matching("acquire-rejected"));
    assertEquals(0, t.pool.stats().pending());
    held.release();
  }

  @Test
  void exactlyTheLimitWaitsWhenThePoolIsFull() {
    TestPool t = pool(1, 2);
    t.connector.manualConnects = false;
    Lease<Conn> held = t.lease();
    CompletableFuture<Lease<Conn>> first = t.pool.acquire();
    CompletableFuture<Lease<Conn>> second = t.pool.acquire();
    assertFalse(first.isDone() || second.isDone(), "two may wait");
    assertRejected(t.pool.acquire());
    held.release();
    assertTrue(first.isDone(), "the oldest is served first");
    CompletableFuture<Lease<Conn>> third = t.pool.acquire();
    assertFalse(third.isDone(), "a place came free");
    assertRejected(t.pool.acquire());
    assertEquals(2, t.pool.stats().pending());
  }

  /** Room in the pool but none on the one server: an acquire joins on the chance, then counts as waiting. */
  @Test
  void exactlyTheLimitWaitsWhenTheServerIsFullButThePoolIsNot() {
    TestPool t = new TestPool(PoolConfig.builder().maxConnections(10).maxConnectionsPerServer(1).maxPendingAcquires(1));
    Lease<Conn> held = t.lease();
    CompletableFuture<Lease<Conn>> first = t.pool.acquire();
    assertFalse(first.isDone(), "one may wait for the server's one connection");
    assertRejected(t.pool.acquire());
    assertEquals(1, t.pool.stats().pending());
    held.release();
    assertTrue(first.isDone());
    assertEquals(1, t.connector.connectCalls.get());
  }
}
