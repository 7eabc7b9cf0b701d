package io.tether.pool;

import io.tether.pool.internal.TestHooks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.TestPool;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Maintenance as a function of {@code now}: the sweep called with made-up instants, never through the
 * scheduler, narrating what it closes and when it asks to run next.
 */
class MaintainTimelineTest {
  private static final long MINUTE = Duration.ofMinutes(1).toNanos();
  private static final long SECOND = Duration.ofSeconds(1).toNanos();

  private static PoolConfig.Builder tenMinuteBalancer() {
    // evict-after 9m, no jitter: every deadline below is exact. The sweep closes a connection at its
    // deadline less the 500ms hand-out margin, since from then on it would not be handed out anyway.
    return PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)).eviction(Eviction.builder().jitter(0).build());
  }

  @Test
  void eachCallClosesWhatIsDueAtItsInstantAndReturnsTheDelayToTheNextDeadline() {
    TestPool t = new TestPool(tenMinuteBalancer());
    long t0 = t.ticker.read();
    Lease<Conn> a = t.lease();
    Lease<Conn> b = t.lease();
    a.release(); // idle from 0: closed at 8m59.5s
    t.ticker.advance(Duration.ofMinutes(1)); // the clock only: no scheduled task runs
    b.release(); // idle from 1m: closed at 9m59.5s

    // at 8m59s nothing is due; a is next, 500ms away
    assertEquals(SECOND / 2, TestHooks.maintain(t.pool, t0 + 8 * MINUTE + 59 * SECOND));
    assertEquals(2, t.pool.stats().idle());
    // at 9m a goes; b is 59.5s away
    assertEquals(MINUTE - SECOND / 2, TestHooks.maintain(t.pool, t0 + 9 * MINUTE));
    assertEquals(CloseCause.IDLE_EVICTED, a.connection().closedWith);
    assertNull(b.connection().closedWith);
    // a late call (10m30s) closes b too, and with nothing left there is no next deadline
    assertEquals(Long.MAX_VALUE, TestHooks.maintain(t.pool, t0 + 10 * MINUTE + 30 * SECOND));
    assertEquals(CloseCause.IDLE_EVICTED, b.connection().closedWith);
    assertEquals(0, t.pool.stats().idle());
  }

  @Test
  void aKeepAliveCapOnlyEverShortensTheIdleDeadline() {
    TestPool t = new TestPool(tenMinuteBalancer());
    long t0 = t.ticker.read();
    Lease<Conn> a = t.lease();
    a.capIdleTime(Duration.ofSeconds(30));
    a.capIdleTime(Duration.ofMinutes(5)); // longer: ignored
    a.capIdleTime(Duration.ZERO); // no cap: ignored
    Conn conn = a.connection();
    a.release();
    // 30s less the 500ms hand-out margin
    assertEquals(29 * SECOND + SECOND / 2, TestHooks.maintain(t.pool, t0));
    assertEquals(Long.MAX_VALUE, TestHooks.maintain(t.pool, t0 + 29 * SECOND + SECOND / 2));
    assertEquals(CloseCause.IDLE_EVICTED, conn.closedWith);
  }

  @Test
  void aTighterCapAfterALooserOneStillApplies() {
    TestPool t = new TestPool(tenMinuteBalancer());
    long t0 = t.ticker.read();
    Lease<Conn> a = t.lease();
    a.capIdleTime(Duration.ofMinutes(5));
    a.capIdleTime(Duration.ofSeconds(10));
    Conn conn = a.connection();
    a.release();
    assertEquals(9 * SECOND + SECOND / 2, TestHooks.maintain(t.pool, t0));
    assertEquals(Long.MAX_VALUE, TestHooks.maintain(t.pool, t0 + 10 * SECOND));
    assertSame(CloseCause.IDLE_EVICTED, conn.closedWith);
  }

  @Test
  void lifetimesEndInOpeningOrderAndALeasedConnectionIsRetiredAtItsRelease() {
    TestPool t = new TestPool(tenMinuteBalancer()
        .eviction(Eviction.builder().jitter(0).maxLifetime(Duration.ofMinutes(30)).build()));
    long t0 = t.ticker.read();
    Lease<Conn> a = t.lease(); // opened at 0
    t.ticker.advance(Duration.ofMinutes(1));
    Lease<Conn> b = t.lease(); // 1m
    t.ticker.advance(Duration.ofMinutes(1));
    Lease<Conn> c = t.lease(); // 2m
    Conn connA = a.connection();
    Conn connB = b.connection();
    // a and b idle and used every few minutes, so their idle deadlines never come first; c stays leased
    for (long m = 3; m <= 29; m += 3) {
      t.ticker.advance(Duration.ofMinutes(3));
      TestHooks.maintain(t.pool, t0 + m * MINUTE);
      a.release();
      b.release();
      a = t.pool.tryAcquire(); // the two trade places each time; what matters is each is used
      b = t.pool.tryAcquire();
    }
    a.release();
    b.release();
    // at 29m59s: nothing due; a's lifetime is next, at 30m (no lease takes it from 29m59.5s on)
    assertEquals(SECOND, TestHooks.maintain(t.pool, t0 + 29 * MINUTE + 59 * SECOND));
    // at 30m a goes, b is next at 31m
    assertEquals(MINUTE, TestHooks.maintain(t.pool, t0 + 30 * MINUTE));
    assertEquals(CloseCause.LIFETIME_EXPIRED, connA.closedWith);
    assertNull(connB.closedWith);
    // at 32m b has gone; c, leased past its 32m lifetime, is marked and closes when released
    TestHooks.maintain(t.pool, t0 + 32 * MINUTE);
    assertEquals(CloseCause.LIFETIME_EXPIRED, connB.closedWith);
    assertNull(c.connection().closedWith, "never closed under its holder");
    c.release();
    assertEquals(CloseCause.LIFETIME_EXPIRED, c.connection().closedWith);
  }
}
