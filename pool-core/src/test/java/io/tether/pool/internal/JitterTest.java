package io.tether.pool.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JitterTest {

  @Test
  void jitterNeverMovesADeadlineLaterAndStaysWithinItsBoundOver10000Draws() {
    long nineMinutes = Duration.ofMinutes(9).toNanos();
    long bound = (long) (nineMinutes * 0.05);
    SplittableRandom random = new SplittableRandom(42);
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 10_000; i++) {
      long d = Jitter.shorten(nineMinutes, 0.05, random.nextDouble());
      assertTrue(d <= nineMinutes, "never later: " + d);
      assertTrue(d >= nineMinutes - bound, "within 5%: " + d);
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    // the draws cover the window rather than clustering (lockstep is what jitter is for)
    assertTrue(max - min > bound * 0.95, "spread " + Duration.ofNanos(max - min));
  }

  @Test
  void edgesOfTheDraw() {
    assertEquals(1000, Jitter.shorten(1000, 0.05, 0.0));
    assertEquals(1000 - 49, Jitter.shorten(1000, 0.05, 0.999));
    assertEquals(1000, Jitter.shorten(1000, 0, 0.7), "jitter off");
    assertThrows(IllegalArgumentException.class, () -> Jitter.shorten(1000, 0.05, 1.0));
  }
}
