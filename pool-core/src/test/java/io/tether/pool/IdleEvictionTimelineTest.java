package io.tether.pool;

import io.tether.pool.internal.TestHooks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.TestPool;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Idle eviction told as timelines on a fake clock: nothing here sleeps. */
class IdleEvictionTimelineTest {

  private static PoolConfig.Builder tenMinuteBalancer() {
    // HAProxy "timeout http-keep-alive 10m"; evict at 0.9 of it = 9m. No jitter, so the timeline is exact.
    return PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)).eviction(Eviction.builder().jitter(0).build());
  }

  @Test
  void connectionIdleEightMinutesFiftyNineIsLeasedAndOneIdleNineMinutesIsEvicted() {
    TestPool t = new TestPool(tenMinuteBalancer());
    assertEquals(Duration.ofMinutes(9), t.pool.config().eviction().evictAfter());
    assertEquals(Duration.ofMillis(500), t.pool.config().eviction().handoutMargin());

    Lease<Conn> a = t.lease();
    Lease<Conn> b = t.lease();
    Conn connA = a.connection();
    Conn connB = b.connection();
    a.release();
    b.release();

    // at 8m59s nothing has been evicted, and the most recently released connection is handed out
    t.advance(Duration.ofMinutes(8).plusSeconds(59));
    assertTrue(t.connector.closed.isEmpty(), "nothing evicted at 8m59s");
    Lease<Conn> again = t.pool.tryAcquire();
    assertNotNull(again, "a connection idle 8m59s is leased");
    assertSame(connB, again.connection());
    again.release(); // b idle again from 8m59s

    // at 9m, a (idle since 0) is gone, evicted ahead of the balancer's 10m
    t.advance(Duration.ofSeconds(1));
    assertEquals(CloseCause.IDLE_EVICTED, connA.closedWith);
    assertFalse(connB.closeCalls.get() > 0, "b was used at 8m59s and stays");
    assertEquals(List.of("closed app1 idle-evicted"), t.events.matching("closed"));
    assertEquals(1, t.pool.stats().idle());
  }

  @Test
  void connectionIdleNineMinutesIsNeverHandedOut() {
    TestPool t = new TestPool(tenMinuteBalancer());
    Lease<Conn> a = t.lease();
    Conn conn = a.connection();
    a.release();

    t.advance(Duration.ofMinutes(9));
    assertNull(t.pool.tryAcquire(), "the only connection was evicted; nothing idle to hand out");
    assertEquals(CloseCause.IDLE_EVICTED, conn.closedWith);
    Lease<Conn> fresh = t.lease();
    assertTrue(fresh.connection() != conn, "a new connection is opened instead");
    assertEquals(2, t.connector.connectCalls.get());
  }

  @Test
  void sweepFiresAtTheEarliestDeadlineNotOnAPeriod() {
    TestPool t = new TestPool(tenMinuteBalancer());
    Lease<Conn> a = t.lease();
    Lease<Conn> b = t.lease();
    a.release(); // deadline 9m - 500ms margin = 8m59.5s
    assertEquals(Duration.ofMinutes(9).minusMillis(500), t.scheduler.pendingDelays().get(0));

    t.advance(Duration.ofMinutes(3));
    b.release(); // deadline 3m + 8m59.5s: later, so no earlier sweep is needed
    assertEquals(Duration.ofMinutes(6).minusMillis(500), t.scheduler.pendingDelays().get(0));

    // exactly at a's deadline the sweep runs and evicts a; the next sweep is set for b's deadline
    t.advance(Duration.ofMinutes(6).minusMillis(500));
    assertEquals(1, t.connector.closedWith(CloseCause.IDLE_EVICTED));
    assertEquals(Duration.ofMinutes(3), t.scheduler.pendingDelays().get(0));
  }

  @Test
  void aShorterKeepAliveTimeoutFromTheServerBringsTheSweepForward() {
    TestPool t = new TestPool(tenMinuteBalancer());
    Lease<Conn> a = t.lease();
    Lease<Conn> b = t.lease();
    a.release(); // 8m59.5s
    t.advance(Duration.ofSeconds(1));
    b.capIdleTime(Duration.ofSeconds(5)); // the server said "Keep-Alive: timeout=5"
    b.release(); // 5s - 500ms after now

    assertEquals(Duration.ofMillis(4500), t.scheduler.pendingDelays().get(0));
    t.advance(Duration.ofMillis(4499));
    assertEquals(0, t.connector.closed.size(), "at 4.499s b is still within its 5s keep-alive");
    t.advance(Duration.ofMillis(1));
    assertEquals(CloseCause.IDLE_EVICTED, b.connection().closedWith);
    assertEquals(1, t.pool.stats().idle(), "a stays until its own deadline");
  }

  @Test
  void idleTimeCountsFromTheLastByteWhenTheTransportReportsActivity() {
    TestPool t = new TestPool(tenMinuteBalancer(), true);
    Lease<Conn> a = t.lease();
    // the request and response bytes flow at 1m, the user keeps the lease until 2m
    t.advance(Duration.ofMinutes(1));
    a.connection().signals.activity();
    t.advance(Duration.ofMinutes(1));
    a.release();
    // the balancer times the connection from the last byte (1m), so eviction is at 1m + 8m59.5s
    assertEquals(Duration.ofMinutes(8).minusMillis(500), t.scheduler.pendingDelays().get(0));
  }

  @Test
  void lifetimeExpiryClosesAnIdleConnectionAndRetiresALeasedOneOnRelease() {
    TestPool t =
        new TestPool(tenMinuteBalancer().eviction(Eviction.builder().maxLifetime(Duration.ofMinutes(30)).build()).maxConnections(4));
    Lease<Conn> a = t.lease();
    Lease<Conn> b = t.lease();
    Conn connA = a.connection();
    Conn connB = b.connection();
    a.release();
    // keep a busy every 5 minutes so idle eviction never applies
    for (int i = 0; i < 5; i++) {
      t.advance(Duration.ofMinutes(5));
      Lease<Conn> l = t.pool.tryAcquire();
      assertSame(connA, l.connection());
      l.release();
    }
    // 25m: both still open; b has been leased all along
    assertEquals(0, t.connector.closed.size());
    t.advance(Duration.ofMinutes(5)); // 30m: lifetime reached
    assertEquals(CloseCause.LIFETIME_EXPIRED, connA.closedWith, "idle at 30m: closed by the sweep");
    assertEquals(null, connB.closedWith, "leased at 30m: not closed under its user");
    b.release();
    assertEquals(CloseCause.LIFETIME_EXPIRED, connB.closedWith, "closed when released");
    assertEquals(0, t.pool.stats().total());
  }

  @Test
  void closingThePoolLeavesNoScheduledTask() {
    TestPool t = new TestPool(tenMinuteBalancer());
    Lease<Conn> a = t.lease();
    a.release();
    assertTrue(t.scheduler.pending() > 0);
    t.pool.closeAsync();
    assertEquals(0, t.scheduler.pending());
    assertEquals(0, TestHooks.scheduledTasks(t.pool));
    assertEquals(CloseCause.POOL_CLOSED, a.connection().closedWith);
  }

  /** A lifetime ends by the clock at release too: with the sweep late, the release itself closes it. */
  @Test
  void aReleaseAtTheLifetimeLessTheMarginClosesTheConnectionAndOneJustBeforeKeepsIt() {
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10))
        .eviction(Eviction.builder().jitter(0).maxLifetime(Duration.ofMinutes(30)).build()));
    Lease<Conn> a = t.lease();
    Lease<Conn> b = t.lease();
    // the clock only: no sweep runs, as when the scheduler is stalled
    t.ticker.advance(Duration.ofMinutes(30).minusMillis(500).minusNanos(1));
    a.release();
    assertNull(a.connection().closedWith, "1ns before 29m59.5s it goes back to the pool");
    t.ticker.advance(Duration.ofNanos(1));
    b.release();
    assertEquals(CloseCause.LIFETIME_EXPIRED, b.connection().closedWith, "at 29m59.5s the release closes it");
    assertEquals(1, t.pool.stats().idle());
  }
}
