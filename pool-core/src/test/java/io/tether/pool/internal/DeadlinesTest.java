package io.tether.pool.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.Eviction;
import io.tether.pool.PoolConfig;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The eviction arithmetic: the lifetime sweep stops at the first connection that cannot be due yet, so
 * the shortest lifetime it assumes must be no longer than any connection's real one, and not much
 * shorter (or the sweep walks further than it needs).
 */
class DeadlinesTest {

  private static Deadlines of(Duration lifetime, double jitter) {
    return Deadlines.of(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10))
        .eviction(Eviction.builder().maxLifetime(lifetime).jitter(jitter).build()).build());
  }

  @Test
  void theShortestLifetimeBoundsEveryDrawFromBelowAndTightly() {
    for (double jitter : new double[] {0, 0.1, 0.25, 0.5}) {
      Deadlines d = of(Duration.ofMinutes(30), jitter);
      long min = d.minLifetimeNanos();
      long expected = (long) (Duration.ofMinutes(30).toNanos() * (1 - jitter)) - 1;
      assertEquals(expected, min, "jitter " + jitter);
      SplittableRandom rnd = new SplittableRandom(7);
      long shortest = Long.MAX_VALUE;
      for (int i = 0; i < 10_000; i++) {
        shortest = Math.min(shortest, d.lifetimeDeadline(0, rnd.nextDouble()));
      }
      shortest = Math.min(shortest, d.lifetimeDeadline(0, Math.nextDown(1.0)));
      assertTrue(shortest >= min, "jitter " + jitter + ": a lifetime of " + shortest + " below " + min);
      assertTrue(shortest - min <= Duration.ofMillis(1).toNanos(), "jitter " + jitter + ": " + (shortest - min));
    }
  }

  @Test
  void noLifetimeMeansNoDeadlineAndNoShortest() {
    Deadlines d = of(Duration.ZERO, 0.1);
    assertEquals(0, d.minLifetimeNanos());
    assertEquals(Long.MAX_VALUE, d.lifetimeDeadline(123, 0.5));
  }

  @Test
  void theIdleBudgetIsTheJitteredShareCappedAndLessTheMargin() {
    Deadlines d = Deadlines.of(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10))
        .eviction(Eviction.builder().jitter(0).build()).build());
    long nineMinutes = Duration.ofMinutes(9).toNanos();
    long margin = Duration.ofMillis(500).toNanos();
    assertEquals(nineMinutes - margin, d.idleBudget(0.5, 0, true));
    assertEquals(Duration.ofSeconds(5).toNanos() - margin, d.idleBudget(0.5, Duration.ofSeconds(5).toNanos(), true));
    assertEquals(nineMinutes - margin, d.idleBudget(0.5, Duration.ofHours(1).toNanos(), true), "a looser cap");
    assertEquals(0, d.idleBudget(0.5, Duration.ofMillis(100).toNanos(), true), "never negative");
  }
}
