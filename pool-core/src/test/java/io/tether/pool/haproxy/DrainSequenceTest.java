package io.tether.pool.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.testing.FakeTicker;
import io.tether.pool.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The drain's steps on fake time: what ends the wait, and what is closed when. */
class DrainSequenceTest {
  private final FakeTicker ticker = new FakeTicker();
  private final ManualScheduler scheduler = new ManualScheduler(ticker);
  private final ServerStatus status = new ServerStatus();
  private final List<String> log = new ArrayList<>();

  /** Connections: {@code idle} idle ones and {@code busy} busy ones, which close after a response. */
  private final class Conns implements DrainSequence.Transport {
    int idle;
    int busy;
    boolean listening = true;

    @Override
    public int closeIdle() {
      int n = idle;
      idle = 0;
      return n;
    }

    @Override
    public int open() {
      return idle + busy;
    }

    @Override
    public int closeAll() {
      int n = idle + busy;
      idle = 0;
      busy = 0;
      return n;
    }

    @Override
    public CompletionStage<?> closeListener() {
      listening = false;
      return CompletableFuture.completedFuture(null);
    }
  }

  private DrainSequence drain(Conns c) {
    return new DrainSequence(status, c, scheduler, ticker, Duration.ofSeconds(2), Duration.ofSeconds(30), log::add);
  }

  @Test
  void theBalancersAcknowledgementEndsTheWait() {
    Conns c = new Conns();
    c.idle = 3;
    c.busy = 1;
    DrainSequence d = drain(c);
    assertFalse(d.closeAfterResponse());
    CompletableFuture<DrainSequence.Report> done = d.start();
    assertEquals(ServerStatus.State.DRAINING, status.state());
    assertTrue(d.closeAfterResponse(), "from the announcement on, responses close their connection");
    scheduler.advance(Duration.ofMillis(500));
    assertEquals(3, c.idle, "idle connections stay until the balancer has let go");
    status.balancerSaid("NOLB; name=be/app1");
    scheduler.advance(Duration.ofMillis(40));
    assertEquals(0, c.idle);
    assertTrue(d.closing());
    assertFalse(done.isDone(), "a busy connection is still answering");
    c.busy = 0;
    d.closedAfterResponse();
    scheduler.advance(Duration.ofMillis(40));
    DrainSequence.Report r = done.join();
    assertTrue(r.acknowledged());
    assertEquals(3, r.closedIdle());
    assertEquals(1, r.closedAfterResponse());
    assertEquals(0, r.closedAtGrace());
    assertFalse(c.listening);
  }

  @Test
  void withoutAnAcknowledgementTheQuietPeriodEndsTheWaitAndTheGraceTimeEndsTheDrain() {
    Conns c = new Conns();
    c.busy = 2;
    DrainSequence d = drain(c);
    CompletableFuture<DrainSequence.Report> done = d.start();
    scheduler.advance(Duration.ofMillis(1500));
    d.accepted(); // a connection arrived: the quiet period starts again
    scheduler.advance(Duration.ofMillis(1900));
    assertFalse(d.closing(), "not quiet for 2 s yet");
    scheduler.advance(Duration.ofMillis(200));
    assertTrue(d.closing());
    scheduler.advance(Duration.ofSeconds(30));
    DrainSequence.Report r = done.join();
    assertFalse(r.acknowledged());
    assertEquals(2, r.closedAtGrace(), "what was still busy at the grace time");
    assertFalse(c.listening);
  }

  @Test
  void aQuietPeriodLongerThanTheGraceIsRefused() {
    assertThrows(() -> new DrainSequence(status, new Conns(), scheduler, ticker, Duration.ofSeconds(3),
        Duration.ofSeconds(2), log::add));
  }

  private static void assertThrows(Runnable r) {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, r::run);
  }
}
