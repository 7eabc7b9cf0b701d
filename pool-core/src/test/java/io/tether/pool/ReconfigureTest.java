package io.tether.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.FakeProbe;
import io.tether.pool.testing.FakeProbe.Answer;
import io.tether.pool.testing.FakeTicker;
import io.tether.pool.testing.TestPool;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A live pool takes new eviction and health settings without dropping connections. */
class ReconfigureTest {

  private static PoolConfig.Builder base() {
    return PoolConfig.builder().server("app1", "127.0.0.29", 8080).server("app2", "127.0.0.38", 8080)
        .lbIdleTimeout(Duration.ofMinutes(10)).eviction(Eviction.builder().jitter(0).build());
  }

  @Test
  void aShorterBalancerTimeoutMovesIdleDeadlinesAtOnceAndDropsNothing() {
    TestPool t = new TestPool(base());
    Lease<Conn> leased = t.lease();
    Lease<Conn> idle = t.lease();
    idle.release();
    t.advance(Duration.ofMinutes(1));
    // The balancer's timeout was lowered to 2m: evict at 1m48s less the margin, counted from last use.
    t.pool.reconfigure(t.pool.config().toBuilder().lbIdleTimeout(Duration.ofMinutes(2)).build());
    assertNull(idle.connection().closedWith, "nothing is dropped by the change itself");
    assertNull(leased.connection().closedWith);
    assertEquals(Duration.ofMillis(108_000 - 1_000 * 60 - 500), t.scheduler.pendingDelays().get(0));
    t.advance(Duration.ofSeconds(48).minusMillis(501));
    assertNull(idle.connection().closedWith);
    t.advance(Duration.ofMillis(1));
    assertEquals(CloseCause.IDLE_EVICTED, idle.connection().closedWith);
    leased.release();
    assertSame(leased.connection(), t.pool.tryAcquire().connection(), "the leased one lives on");
  }

  @Test
  void healthChecksCanBeTurnedOnAndOff() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(base().healthCheck(HealthCheck.builder().enabled(false).build()), probe);
    t.advance(Duration.ofSeconds(5));
    assertTrue(probe.log.isEmpty(), "no checks while off");
    probe.set("app1", Answer.FAIL);
    t.pool.reconfigure(t.pool.config().toBuilder().healthCheck(HealthCheck.builder().enabled(true).inter(Duration.ofMillis(200)).fall(1).build()).build());
    t.advance(Duration.ofMillis(400));
    assertEquals(ServerState.DOWN, t.pool.stats().server("app1").state());
    t.pool.reconfigure(t.pool.config().toBuilder().healthCheck(HealthCheck.builder().enabled(false).build()).build());
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state(), "without checks nothing could bring it back");
    int checks = probe.log.size();
    t.advance(Duration.ofSeconds(5));
    assertEquals(checks, probe.log.size(), "checks stopped");
  }

  @Test
  void settingsThatNeedANewPoolAreRejectedByName() {
    TestPool t = new TestPool(base());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> t.pool.reconfigure(t.pool.config().toBuilder().maxConnections(5).build()));
    assertEquals("tether.pool.max-connections cannot change on a live pool (64 -> 5); only eviction and health "
        + "settings can: build a new pool for the rest", e.getMessage());
    assertEquals(64, t.pool.config().maxConnections());
  }

  /** Idle connections behind the hot slot (in the deque) are re-sorted by their new deadlines too. */
  @Test
  void aShorterTimeoutReachesEveryIdleConnectionNotOnlyTheMostRecent() {
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10))
        .eviction(Eviction.builder().jitter(0).build()));
    List<Lease<Conn>> held = List.of(t.lease(), t.lease(), t.lease(), t.lease());
    held.forEach(Lease::release); // one thread: the last in its hot slot, the others in the deque
    t.pool.reconfigure(t.pool.config().toBuilder().lbIdleTimeout(Duration.ofMinutes(1)).build());
    t.advance(Duration.ofSeconds(54).minusMillis(500)); // 0.9 x 1m, less the hand-out margin
    for (Lease<Conn> l : held) {
      assertEquals(CloseCause.IDLE_EVICTED, l.connection().closedWith, l.connection().toString());
    }
    assertEquals(0, t.pool.stats().total());
  }

  /** A longer timeout moves deadlines later: nothing closes at the old time. */
  @Test
  void aLongerTimeoutKeepsIdleConnectionsPastTheOldDeadline() {
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(1))
        .eviction(Eviction.builder().jitter(0).build()));
    List<Lease<Conn>> held = List.of(t.lease(), t.lease(), t.lease());
    held.forEach(Lease::release);
    t.pool.reconfigure(t.pool.config().toBuilder().lbIdleTimeout(Duration.ofMinutes(10)).build());
    t.advance(Duration.ofMinutes(5));
    assertEquals(3, t.pool.stats().idle(), "the old 54s deadline no longer applies");
    t.advance(Duration.ofMinutes(4));
    assertEquals(0, t.pool.stats().idle(), "the new one, 9m, does");
  }
}
