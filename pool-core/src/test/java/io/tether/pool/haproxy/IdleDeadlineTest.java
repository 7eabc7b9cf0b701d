package io.tether.pool.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The server-side idle rule both Netty versions' IdleCloser follow, on made-up clock readings. */
class IdleDeadlineTest {
  private static final long S = 1_000_000_000L;

  @Test
  void anIdleConnectionClosesAtItsDeadlineAndNotANanosecondBefore() {
    IdleDeadline d = new IdleDeadline(IdleDeadline.beforeBalancerTimeout(Duration.ofSeconds(10), 0.9));
    assertEquals(9 * S, d.closeAfterNanos(), "0.9 of timeout server 10s");
    d.start(100 * S);
    assertEquals(9 * S, d.check(100 * S), "just started: check again when the deadline comes");
    assertEquals(1, d.check(109 * S - 1), "one nanosecond before: not yet");
    assertEquals(0, d.check(109 * S), "at 9s idle: close");
  }

  @Test
  void trafficMovesTheDeadlineAndARequestInFlightHoldsItOpen() {
    IdleDeadline d = new IdleDeadline(Duration.ofSeconds(9));
    d.start(0);
    d.read(5 * S, true); // a request arrives at 5s
    assertEquals(9 * S, d.check(20 * S), "awaiting its response: never closed, checked again a whole period later");
    d.wrote(21 * S, false); // part of the response
    assertEquals(9 * S, d.check(22 * S), "still in flight");
    d.wrote(23 * S, true); // the response ends at 23s
    assertEquals(8 * S, d.check(24 * S), "idle since 23s");
    assertEquals(0, d.check(32 * S));
    assertEquals(9 * S, d.idleNanos(32 * S));
    d.read(33 * S, false); // bytes that start no request (a body chunk, a ping)
    assertEquals(9 * S, d.check(33 * S));
  }

  @Test
  void aResponseWithNoRequestDoesNotUnderflow() {
    IdleDeadline d = new IdleDeadline(Duration.ofSeconds(1));
    d.start(0);
    d.wrote(0, true); // a response the server sent unasked (a 408, say)
    d.read(0, true);
    assertEquals(S, d.check(5 * S), "the one request is still awaited");
  }

  @Test
  void badSettingsAreRefused() {
    assertEquals("ratio 1.0 (expected: above 0 and below 1)", assertThrows(IllegalArgumentException.class,
        () -> IdleDeadline.beforeBalancerTimeout(Duration.ofSeconds(10), 1.0)).getMessage());
    assertEquals("ratio NaN (expected: above 0 and below 1)", assertThrows(IllegalArgumentException.class,
        () -> IdleDeadline.beforeBalancerTimeout(Duration.ofSeconds(10), Double.NaN)).getMessage());
    assertEquals("timeout server PT0S (expected: above 0)", assertThrows(IllegalArgumentException.class,
        () -> IdleDeadline.beforeBalancerTimeout(Duration.ZERO, 0.9)).getMessage());
    assertEquals("closeAfter PT-1S (expected: above 0)", assertThrows(IllegalArgumentException.class,
        () -> new IdleDeadline(Duration.ofSeconds(-1))).getMessage());
  }
}
