package io.tether.pool;

import io.tether.pool.internal.TestHooks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.TestPool;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class PoolCloseTest {

  private static PoolConfig.Builder config() {
    return PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)).closeTimeout(Duration.ofSeconds(5)).maxConnections(2);
  }

  @Test
  void closeClosesIdleNowWaitsForLeasedAndLeavesNoTask() {
    TestPool t = new TestPool(config());
    Lease<Conn> idle = t.lease();
    Lease<Conn> leased = t.lease();
    idle.release();

    CompletableFuture<Void> closing = t.pool.closeAsync();
    assertEquals(CloseCause.POOL_CLOSED, idle.connection().closedWith);
    assertNull(leased.connection().closedWith, "a leased connection is not closed under its user");
    assertFalse(closing.isDone());
    assertEquals(1, t.scheduler.pending(), "only the close-timeout task remains");

    leased.release();
    assertEquals(CloseCause.POOL_CLOSED, leased.connection().closedWith, "closed when released");
    assertTrue(closing.isDone());
    assertEquals(0, t.scheduler.pending());
    assertEquals(0, TestHooks.scheduledTasks(t.pool));
  }

  @Test
  void closeTimeoutClosesConnectionsNeverReleased() {
    TestPool t = new TestPool(config());
    Lease<Conn> leased = t.lease();
    CompletableFuture<Void> closing = t.pool.closeAsync();
    t.advance(Duration.ofMillis(4999));
    assertFalse(closing.isDone());
    t.advance(Duration.ofMillis(1));
    assertTrue(closing.isDone());
    assertEquals(CloseCause.POOL_CLOSED, leased.connection().closedWith);
    assertEquals(0, t.scheduler.pending());
  }

  @Test
  void waitingAcquiresFailWhenThePoolCloses() {
    TestPool t = new TestPool(config());
    t.lease();
    t.lease();
    CompletableFuture<Lease<Conn>> waiting = t.pool.acquire();
    t.pool.closeAsync();
    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, waiting::join);
    assertInstanceOf(PoolClosedException.class, e.getCause());
  }

  @Test
  void aConnectCompletingAfterCloseIsClosedAtOnce() {
    TestPool t = new TestPool(config());
    t.connector.manualConnects = true;
    CompletableFuture<Lease<Conn>> acquiring = t.pool.acquire();
    CompletableFuture<Void> closing = t.pool.closeAsync();
    assertFalse(closing.isDone(), "a connect is in flight");
    t.connector.completePending(1, e -> false);
    assertTrue(acquiring.isCompletedExceptionally());
    assertEquals(CloseCause.POOL_CLOSED, t.connector.opened.peek().closedWith);
    assertTrue(closing.isDone());
    assertEquals(0, t.scheduler.pending());
  }

  @Test
  void closeIsIdempotent() {
    TestPool t = new TestPool(config());
    assertTrue(t.pool.closeAsync() == t.pool.closeAsync());
    t.pool.close();
  }

  @Test
  void blockingCloseOnAnIoThreadWithALeaseOutFailsFastInsteadOfWaitingForItsRelease() {
    TestPool t = new TestPool(config().name("orders"));
    Lease<Conn> held = t.lease();
    t.connector.transportThread = true;
    IllegalStateException e = assertThrows(IllegalStateException.class, t.pool::close);
    assertTrue(e.getMessage().startsWith("pool orders: close() on an I/O thread with leased connections"),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("use closeAsync()"), e.getMessage());
    // the close it started goes on: the release ends it
    held.release();
    assertEquals(CloseCause.POOL_CLOSED, held.connection().closedWith);
    t.pool.close(); // done already: returns at once, even here
  }

  @Test
  void blockingCloseOnAnIoThreadWithNothingLeasedDoesNotRefuse() {
    TestPool t = new TestPool(config());
    CompletableFuture<Void> transportClose = new CompletableFuture<>();
    t.connector.closeCompletion = c -> transportClose;
    t.lease().release();
    t.connector.transportThread = true;
    Thread.currentThread().interrupt(); // the wait for the transport's close returns at once
    t.pool.close();
    assertTrue(Thread.interrupted(), "refused nothing, waited, and kept the interrupt");
    transportClose.complete(null);
  }

  @Test
  void anInterruptedBlockingCloseReturnsWithTheInterruptStatusKept() {
    TestPool t = new TestPool(config());
    Lease<Conn> held = t.lease();
    Thread.currentThread().interrupt();
    t.pool.close();
    assertTrue(Thread.interrupted(), "the caller still sees its interrupt");
    assertNull(held.connection().closedWith, "the lease was not closed under its user by the interrupt");
    held.release();
    assertEquals(CloseCause.POOL_CLOSED, held.connection().closedWith);
  }

  @Test
  void aFreshAcquireAfterCloseFailsAtOnce() {
    TestPool t = new TestPool(config());
    Endpoint app1 = t.pool.config().servers().get(0);
    t.pool.close();
    assertInstanceOf(PoolClosedException.class, failure(t.pool.acquireFresh(app1)));
    assertInstanceOf(PoolClosedException.class, failure(t.pool.acquireFresh(null)));
    assertInstanceOf(PoolClosedException.class, failure(t.pool.acquireFreshByKey("session-1")));
    assertEquals(0, t.connector.connectCalls.get());
  }

  private static Throwable failure(CompletableFuture<?> f) {
    assertTrue(f.isCompletedExceptionally(), "failed at once: " + f);
    return assertThrows(CompletionException.class, f::join).getCause();
  }

  /** The connector's contract forbids throwing from close; one that does still lets the pool finish. */
  @Test
  void aTransportCloseThatThrowsStillCountsAsClosed() {
    TestPool t = new TestPool(config());
    t.lease().release();
    t.connector.closeCompletion = c -> {
      throw new IllegalStateException("the transport broke its contract");
    };
    CompletableFuture<Void> closing = t.pool.closeAsync();
    assertTrue(closing.isDone(), "nothing left open or closing");
    assertEquals(0, t.scheduler.pending(), "and no task left behind");
  }
}
