package io.tether.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.spi.Scheduler;
import io.tether.pool.testing.FakeConnector;
import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.FakeTicker;
import io.tether.pool.testing.TestPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * What a pool does with misuse and with a world that misbehaves: a stale lease, a late sweep, a user
 * who gives up, a scheduler that is gone, a transport slow to close. Each case was reproduced against
 * the pool before it was fixed.
 */
class MisuseTest {

  private static PoolConfig.Builder tenMinuteBalancer() {
    return PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)).eviction(Eviction.builder().jitter(0).build());
  }

  @Test
  void aStaleLeaseCannotReleaseTheNextHoldersConnection() {
    TestPool t = new TestPool(PoolConfig.builder());
    Lease<Conn> a = t.lease();
    Conn conn = a.connection();
    a.release();
    Lease<Conn> b = t.lease();
    assertSame(conn, b.connection(), "B got the recycled connection");
    // Tests run with assertions on: the stale release throws, and changes nothing.
    assertThrows(StaleLeaseException.class, a::release);
    assertThrows(StaleLeaseException.class, () -> a.invalidate(CloseCause.BROKEN, null));
    assertNull(t.pool.tryAcquire(), "B's connection was not put back under B");
    assertEquals(1, t.pool.stats().leased());
    assertEquals(0, conn.closeCalls.get());
    b.release();
    assertEquals(1, t.pool.stats().idle());
  }

  @Test
  void aConnectionAtItsIdleDeadlineIsNotHandedOutWhenTheSweepIsLate() {
    TestPool t = new TestPool(tenMinuteBalancer());
    Lease<Conn> a = t.lease();
    Conn conn = a.connection();
    a.release();
    // The clock moves; the scheduler does not run (a blocked event loop, a GC pause).
    t.ticker.advance(Duration.ofMinutes(8).plusSeconds(59));
    Lease<Conn> early = t.pool.tryAcquire();
    assertSame(conn, early.connection(), "8m59s: inside the deadline less the 500ms margin");
    early.release();
    t.ticker.advance(Duration.ofMinutes(8).plusSeconds(59).plusMillis(600)); // idle since 8m59s
    assertNull(t.pool.tryAcquire(), "within the hand-out margin of 9m: not handed out");
    assertEquals(CloseCause.IDLE_EVICTED, conn.closedWith);
    t.ticker.advance(Duration.ofMinutes(11));
    Lease<Conn> fresh = t.lease();
    assertNotSame(conn, fresh.connection());
  }

  /** The exact boundary, to the nanosecond: handed out one nanosecond before it, not at it. */
  @Test
  void theLeaseTimeCheckStopsExactlyAtTheIdleDeadlineLessTheMargin() {
    for (long beforeNanos : new long[] {1, 0}) {
      TestPool t = new TestPool(PoolConfig.builder().eviction(Eviction.builder().lbIdleTimeout(Duration.ofMinutes(10))
          .jitter(0).handoutMargin(Duration.ofMillis(500)).build()));
      Lease<Conn> a = t.lease();
      a.release();
      t.ticker.advance(Duration.ofMinutes(9).minusMillis(500).minusNanos(beforeNanos));
      Lease<Conn> l = t.pool.tryAcquire();
      assertEquals(beforeNanos == 1, l != null, beforeNanos + " ns before 9m less the margin");
    }
  }

  @Test
  void theLeaseTimeCheckStopsExactlyAtTheLifetimeLessTheMargin() {
    for (long beforeNanos : new long[] {1, 0}) {
      TestPool t = new TestPool(PoolConfig.builder().eviction(Eviction.builder().lbIdleTimeout(Duration.ofMinutes(10))
          .jitter(0).maxLifetime(Duration.ofMinutes(5)).handoutMargin(Duration.ofMillis(500)).build()));
      Lease<Conn> a = t.lease();
      a.release();
      t.ticker.advance(Duration.ofMinutes(5).minusMillis(500).minusNanos(beforeNanos));
      Lease<Conn> l = t.pool.tryAcquire();
      assertEquals(beforeNanos == 1, l != null, beforeNanos + " ns before the 5m lifetime less the margin");
      if (l == null) {
        assertEquals(CloseCause.LIFETIME_EXPIRED, t.connector.opened.peek().closedWith);
      }
    }
  }

  @Test
  void aConnectionPastItsLifetimeIsNotHandedOutWhenTheSweepIsLate() {
    TestPool t = new TestPool(tenMinuteBalancer().eviction(Eviction.builder().jitter(0)
        .maxLifetime(Duration.ofMinutes(5)).build()));
    Lease<Conn> a = t.lease();
    Conn conn = a.connection();
    a.release();
    t.ticker.advance(Duration.ofMinutes(5));
    assertNull(t.pool.tryAcquire());
    assertEquals(CloseCause.LIFETIME_EXPIRED, conn.closedWith);
  }

  @Test
  void givingUpOnAnAcquireWithdrawsItAtOnce() throws Exception {
    TestPool t = new TestPool(PoolConfig.builder().maxConnections(1).maxPendingAcquires(1));
    Lease<Conn> held = t.lease();
    CompletableFuture<Lease<Conn>> waiting = t.pool.acquire();
    assertEquals(1, t.pool.stats().pending());
    // What orTimeout and completeOnTimeout do: complete it from outside.
    waiting.completeExceptionally(new TimeoutException("caller's own timeout"));
    assertEquals(0, t.pool.stats().pending(), "its max-pending-acquires slot is free");
    CompletableFuture<Lease<Conn>> next = t.pool.acquire();
    assertFalse(next.isDone(), "queued, not rejected");
    next.cancel(false);
    assertEquals(0, t.pool.stats().pending());
    held.release();
    assertEquals(1, t.pool.stats().idle(), "the released connection went to no one who gave up");
  }

  @Test
  void aSchedulerThatRejectsWorkFailsTheAcquireInsteadOfLosingIt() throws Exception {
    FakeTicker ticker = new FakeTicker();
    Scheduler gone = (task, delay, unit) -> {
      throw new RejectedExecutionException("event loop shut down");
    };
    FakeConnector connector = new FakeConnector();
    ConnectionPool<Conn> pool = ConnectionPool.builder(connector)
        .config(PoolConfig.builder().server("app1", "127.0.0.29", 8080).maxConnections(1).build())
        .scheduler(gone).ticker(ticker).build();
    // Even a connect needs the scheduler (its guard timer): every acquire completes, failed, at once.
    for (int i = 0; i < 3; i++) {
      CompletableFuture<Lease<Conn>> f = pool.acquire();
      ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(0, TimeUnit.SECONDS));
      assertInstanceOf(RejectedExecutionException.class, e.getCause());
    }
    assertEquals(0, pool.stats().total());
    assertEquals(0, pool.stats().pending());
    assertTrue(pool.closeAsync().isDone(), "close completes without the scheduler");
  }

  @Test
  void aTaskTheSchedulerDropsCompletesWhatWaitedOnIt() {
    FakeTicker ticker = new FakeTicker();
    List<Runnable> accepted = new ArrayList<>();
    Scheduler dropping = (task, delay, unit) -> {
      accepted.add(task);
      return () -> {};
    };
    ConnectionPool<Conn> pool = ConnectionPool.builder(new FakeConnector())
        .config(PoolConfig.builder().server("app1", "127.0.0.29", 8080).maxConnections(1).build())
        .scheduler(dropping).ticker(ticker).build();
    pool.acquire().join();
    CompletableFuture<Lease<Conn>> waiting = pool.acquire();
    assertFalse(waiting.isDone());
    // The event loop shuts down and cancels what it had scheduled; the pool's tasks hear of it.
    for (Runnable r : accepted) {
      if (r instanceof Scheduler.Droppable d) {
        d.dropped(new RejectedExecutionException("shut down"));
      }
    }
    assertTrue(waiting.isCompletedExceptionally());
    assertEquals(0, pool.stats().pending());
  }

  @Test
  void closeAsyncCompletesOnlyWhenTheTransportHasClosedEveryConnection() {
    TestPool t = new TestPool(PoolConfig.builder());
    CompletableFuture<Void> transportClose = new CompletableFuture<>();
    t.connector.closeCompletion = c -> transportClose;
    t.lease().release();
    CompletableFuture<Void> closing = t.pool.closeAsync();
    assertEquals(1, t.connector.closed.size(), "the idle connection's close was asked for");
    assertFalse(closing.isDone(), "but the transport has not finished it");
    transportClose.complete(null);
    assertTrue(closing.isDone());
  }

  @Test
  void completingAnAcquireWithAValueFromOutsideWithdrawsItToo() {
    TestPool t = new TestPool(PoolConfig.builder().maxConnections(1));
    Lease<Conn> held = t.lease();
    CompletableFuture<Lease<Conn>> waiting = t.pool.acquire();
    assertEquals(1, t.pool.stats().pending());
    assertTrue(waiting.complete(null), "what completeOnTimeout(null, ...) does");
    assertEquals(0, t.pool.stats().pending(), "withdrawn at once");
    assertFalse(waiting.complete(null), "a second completion changes nothing");
    held.release();
    assertEquals(1, t.pool.stats().idle(), "the released connection went to no one who gave up");
    assertNull(waiting.join());
  }

  @Test
  void aPoolOwnsOnlyTheLeasesItGaveOut() {
    TestPool a = new TestPool(PoolConfig.builder().name("a"));
    TestPool b = new TestPool(PoolConfig.builder().name("b"));
    Lease<Conn> fromA = a.lease();
    assertTrue(a.pool.owns(fromA));
    assertFalse(b.pool.owns(fromA));
    assertFalse(a.pool.owns(null));
    @SuppressWarnings("unchecked")
    Lease<Conn> foreign = (Lease<Conn>) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {Lease.class}, (proxy, method, args) -> null);
    assertFalse(a.pool.owns(foreign), "a Lease some other code made");
    fromA.release();
    assertTrue(a.pool.owns(fromA), "still from a after its release");
  }

  @Test
  void aPoolDescribesItselfByNameAndCounts() {
    TestPool t = new TestPool(PoolConfig.builder().name("orders"));
    Lease<Conn> held = t.lease();
    String s = t.pool.toString();
    assertTrue(s.startsWith("ConnectionPool{orders, "), s);
    assertTrue(s.contains(t.pool.stats().toString()), s);
    held.release();
  }

  @Test
  void aLeaseSaysWhatItHoldsAndWhenItHasEnded() {
    TestPool t = new TestPool(PoolConfig.builder());
    Lease<Conn> lease = t.lease();
    assertEquals("Lease{PooledConnection{app1, leased, conn1@app1}}", lease.toString());
    lease.release();
    String ended = lease.toString();
    assertTrue(ended.startsWith("Lease{PooledConnection{app1, "), ended);
    assertTrue(ended.endsWith(", conn1@app1}, expired}"), ended);
  }

  @Test
  void aStaleLeaseCannotShortenTheNextHoldersIdleTime() {
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10))
        .eviction(Eviction.builder().jitter(0).build()));
    Lease<Conn> stale = t.lease();
    stale.release();
    Lease<Conn> next = t.lease();
    assertSame(stale.connection(), next.connection());
    stale.capIdleTime(Duration.ofSeconds(1)); // through the ended handle: ignored
    next.release();
    t.advance(Duration.ofMinutes(8));
    assertNull(next.connection().closedWith, "the next holder's connection keeps its 9m deadline");
  }
}
