package io.tether.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tether.pool.testing.FakeConnector;
import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.FakeTicker;
import io.tether.pool.testing.ManualScheduler;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Jitter reaches the deadlines the pool keeps, and only ever makes them earlier: with the random source
 * pinned to its largest draw a connection goes 5% early; with the smallest it goes exactly on time.
 * Deleting the jitter, or turning it upward, fails these.
 */
class JitterAppliedTest {

  private static final class Pool {
    final FakeTicker ticker = new FakeTicker();
    final ManualScheduler scheduler = new ManualScheduler(ticker);
    final FakeConnector connector = new FakeConnector();
    final ConnectionPool<Conn> pool;

    Pool(double draw, Eviction eviction) {
      pool = ConnectionPool.builder(connector)
          .config(PoolConfig.builder().server("app1", "127.0.0.29", 8080).lbIdleTimeout(Duration.ofMinutes(10))
              .eviction(eviction).build())
          .scheduler(scheduler).ticker(ticker).random(() -> draw).build();
    }

    Conn leaseAndRelease() {
      Lease<Conn> l = pool.acquire().join();
      Conn c = l.connection();
      l.release();
      return c;
    }
  }

  @Test
  void theLargestDrawEvictsAnIdleConnectionFivePercentEarlyTheSmallestOnTime() {
    Eviction fivePercent = Eviction.builder().jitter(0.05).build();
    Pool early = new Pool(0.999, fivePercent);
    Pool onTime = new Pool(0.0, fivePercent);
    Conn a = early.leaseAndRelease();
    Conn b = onTime.leaseAndRelease();
    // 9m less 5% is 8m33s: past it (and its 500ms hand-out margin) the early one is gone.
    early.scheduler.advance(Duration.ofMinutes(8).plusSeconds(34));
    onTime.scheduler.advance(Duration.ofMinutes(8).plusSeconds(34));
    assertEquals(CloseCause.IDLE_EVICTED, a.closedWith);
    assertNull(b.closedWith, "the smallest draw keeps the full 9m");
    onTime.scheduler.advance(Duration.ofSeconds(26));
    assertEquals(CloseCause.IDLE_EVICTED, b.closedWith, "and goes at 9m, never later");
  }

  @Test
  void theLargestDrawEndsALifetimeFivePercentEarlyTheSmallestOnTime() {
    Eviction life = Eviction.builder().jitter(0.05).maxLifetime(Duration.ofMinutes(20)).build();
    Pool early = new Pool(0.999, life);
    Pool onTime = new Pool(0.0, life);
    Lease<Conn> a = early.pool.acquire().join();
    Lease<Conn> b = onTime.pool.acquire().join();
    // Held leased (no idle deadline): 20m less 5% is 19m. A release after that closes it.
    early.ticker.advance(Duration.ofMinutes(19).plusSeconds(1));
    onTime.ticker.advance(Duration.ofMinutes(19).plusSeconds(1));
    a.release();
    b.release();
    assertEquals(CloseCause.LIFETIME_EXPIRED, a.connection().closedWith);
    assertNull(b.connection().closedWith, "the smallest draw keeps the full 20m");
  }
}
