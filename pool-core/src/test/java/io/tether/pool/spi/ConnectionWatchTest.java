package io.tether.pool.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.CloseCause;
import io.tether.pool.StaleConnectionException;
import io.tether.pool.testing.FakeSignals;
import io.tether.pool.testing.FakeTicker;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The per-connection rules both Netty adapters share, as a table on a fake clock: what an exception, a
 * read, a close means in each state of the connection and the exchange.
 */
class ConnectionWatchTest {
  private static final SocketException RESET = new SocketException("Connection reset");
  private static final IOException BROKEN_PIPE = new IOException("Broken pipe");

  private final FakeTicker ticker = new FakeTicker();
  private final FakeSignals signals = new FakeSignals();

  private ConnectionWatch watch(boolean requestResponse, Duration responseTimeout) {
    return new ConnectionWatch(signals, ticker, responseTimeout, requestResponse);
  }

  @Test
  void exceptionsByStateOfTheConnectionAndTheExchange() {
    record Row(boolean idle, boolean written, boolean requestResponse, Throwable cause, ConnectionWatch.Verdict expected) {}
    List<Row> table = List.of(
        new Row(true, false, true, RESET, ConnectionWatch.Verdict.CLOSE_QUIETLY),
        new Row(true, false, false, RESET, ConnectionWatch.Verdict.CLOSE_QUIETLY),
        new Row(true, false, true, BROKEN_PIPE, ConnectionWatch.Verdict.CLOSE_QUIETLY),
        new Row(false, true, true, RESET, ConnectionWatch.Verdict.STALE),
        new Row(false, true, false, RESET, ConnectionWatch.Verdict.PASS), // not request/response: the protocol's own
        new Row(false, false, true, RESET, ConnectionWatch.Verdict.PASS), // leased, nothing asked yet
        new Row(false, true, true, new IOException("Connection refused"), ConnectionWatch.Verdict.PASS),
        new Row(true, false, true, new IllegalStateException("codec"), ConnectionWatch.Verdict.PASS));
    for (Row r : table) {
      FakeSignals s = new FakeSignals();
      if (r.idle()) {
        s.idle();
      }
      ConnectionWatch w = new ConnectionWatch(s, ticker, Duration.ZERO, r.requestResponse());
      if (r.written()) {
        w.write(false);
      }
      assertEquals(r.expected(), w.exception(r.cause()), r.toString());
    }
  }

  @Test
  void aStaleRequestIsReportedOnceAndSaysWhetherItWasFullyWritten() {
    ConnectionWatch w = watch(true, Duration.ZERO);
    w.write(false); // the request, still being written
    assertEquals(ConnectionWatch.Verdict.STALE, w.exception(RESET));
    StaleConnectionException stale = w.stale();
    assertTrue(stale.getMessage().contains("app1"), stale.getMessage());
    assertEquals(ConnectionWatch.Verdict.PASS, w.exception(RESET), "reported once");
    assertNull(w.inactive(), "already reported");
    w.closed();
    assertEquals(List.of("peer-reset"), signals.closes);
    assertEquals(CloseCause.PEER_RESET, w.inactiveCause());
  }

  @Test
  void aCloseWhileAResponseIsAwaitedIsStaleUnlessThisSideClosed() {
    ConnectionWatch w = watch(true, Duration.ZERO);
    w.write(false);
    w.writeDone();
    StaleConnectionException e = w.inactive();
    assertNotNull(e, "the peer's FIN under an awaited response");
    w.closed();
    assertEquals(List.of("peer-closed"), signals.closes);
    assertEquals(CloseCause.PEER_CLOSED, w.inactiveCause());

    FakeSignals mine = new FakeSignals();
    ConnectionWatch local = new ConnectionWatch(mine, ticker, Duration.ZERO, true);
    local.write(false);
    local.closingLocally(); // the user (or a timeout) closed it
    assertNull(local.inactive(), "no stale report for our own close");
    local.closed();
    assertEquals(List.of("locally"), mine.closes);
    assertEquals(CloseCause.BROKEN, local.inactiveCause());
  }

  @Test
  void bytesOnAnIdleConnectionEndItOnlyForRequestResponseProtocols() {
    signals.idle();
    assertFalse(watch(true, Duration.ZERO).read(), "an HTTP server speaking out of turn (a 408)");
    assertTrue(watch(false, Duration.ZERO).read(), "a heartbeat: the protocol's business");
    ConnectionWatch w = watch(true, Duration.ZERO);
    w.read();
    assertEquals(CloseCause.PEER_CLOSED, w.inactiveCause(), "out-of-turn bytes count as the peer's doing");
    assertTrue(signals.activity >= 3, "every read is activity");
  }

  @Test
  void theResponseTimerOnFakeTime() {
    ConnectionWatch w = watch(true, Duration.ofSeconds(2));
    assertEquals(-1, w.timerDelay(), "nothing awaited");
    assertEquals(Duration.ofSeconds(2).toNanos(), w.write(false), "first write: start the timer");
    assertEquals(-1, w.write(true), "a second write of the same request: the timer runs already");
    ticker.advance(Duration.ofMillis(1500));
    assertNull(w.responseTimerFired(), "fired early (a timer wheel's tick): not overdue");
    assertEquals(Duration.ofMillis(500).toNanos(), w.timerDelay());
    ticker.advance(Duration.ofMillis(500));
    assertNotNull(w.responseTimerFired(), "overdue at 2 s");
    assertEquals(-1, w.timerDelay(), "reported: nothing awaited any more");

    ConnectionWatch answered = watch(true, Duration.ofSeconds(2));
    answered.write(false);
    answered.read(); // the response's first bytes
    ticker.advance(Duration.ofSeconds(5));
    assertNull(answered.responseTimerFired(), "answered in time");
    assertEquals(-1, watch(true, Duration.ZERO).write(false), "no timeout configured: no timer");
  }

  @Test
  void aNewLeaseForgetsWhatTheLastUserLeftHalfDone() {
    ConnectionWatch w = watch(true, Duration.ZERO);
    w.write(false);
    w.leased();
    assertNull(w.inactive(), "the previous user's awaited response is not the new user's");
    assertEquals(ConnectionWatch.Verdict.PASS, w.exception(RESET), "nothing awaited: not stale");
  }
}
