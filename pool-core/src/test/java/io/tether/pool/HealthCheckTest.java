package io.tether.pool;

import io.tether.pool.spi.HealthProbe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.FakeProbe;
import io.tether.pool.testing.FakeProbe.Answer;
import io.tether.pool.testing.FakeTicker;
import io.tether.pool.testing.TestPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Active checks on fake time: cadence, fall and rise, timeouts. */
class HealthCheckTest {

  private static PoolConfig.Builder twoServers() {
    return PoolConfig.builder()
        .server("app1", "127.0.0.29", 8080)
        .server("app2", "127.0.0.38", 8080)
        .lbIdleTimeout(Duration.ofMinutes(10))
        .healthCheck(HealthCheck.builder().enabled(true).build());
  }

  private static List<Long> gaps(List<Long> times) {
    List<Long> out = new ArrayList<>();
    for (int i = 1; i < times.size(); i++) {
      out.add(times.get(i) - times.get(i - 1));
    }
    return out;
  }

  @Test
  void cadenceFollowsInterFastinterAndDowninterFromTheEndOfEachCheck() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(twoServers().healthCheck(HealthCheck.builder().enabled(true).inter(Duration.ofSeconds(2))
        .fastinter(Duration.ofMillis(500)).downinter(Duration.ofSeconds(5)).fall(3).rise(2).build()), probe);
    t.advance(Duration.ofSeconds(5)); // two passes: health at the top, so inter from now on
    probe.set("app1", Answer.FAIL);
    int failFrom = probe.times("app1").size();
    t.advance(Duration.ofSeconds(20));
    probe.set("app1", Answer.PASS);
    int passFrom = probe.times("app1").size();
    t.advance(Duration.ofSeconds(12));

    List<Long> g = gaps(probe.times("app1"));
    // up: every 2s. The first failure was a regular check; after it fastinter twice (failures 2 and 3,
    // fall 3); then down at 0: downinter. The first pass leaves health below rise: fastinter; the
    // second reaches rise: up, inter again.
    assertEquals(List.of(2000L, 500L, 500L, 5000L), g.subList(failFrom - 1, failFrom + 3), "falling then down: " + g);
    assertEquals(List.of(5000L, 500L, 2000L), g.subList(passFrom - 1, passFrom + 2), "rising then up: " + g);
    assertTrue(t.events.events.contains("state app1 UP->DOWN"), t.events.events.toString());
    assertTrue(t.events.events.contains("state app1 DOWN->UP"), t.events.events.toString());
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state());
  }

  @Test
  void aServerStartsUpButFallsAtItsFirstFailureAsInHaproxy() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    probe.set("app1", Answer.FAIL);
    TestPool t = new TestPool(twoServers().healthCheck(HealthCheck.builder().enabled(true).inter(Duration.ofSeconds(1))
        .fall(3).rise(2).build()), probe);
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state(), "up before its first check");
    t.advance(Duration.ofMillis(1));
    assertEquals(ServerState.DOWN, t.pool.stats().server("app1").state(),
        "health starts at rise: one failure before any success marks it down, whatever fall says");
  }

  @Test
  void aPassBetweenFailuresRestoresFullHealth() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(twoServers().healthCheck(HealthCheck.builder().enabled(true).inter(Duration.ofSeconds(1))
        .fall(2).rise(1).build()), probe);
    t.advance(Duration.ofSeconds(2));
    for (Answer a : List.of(Answer.FAIL, Answer.PASS, Answer.FAIL, Answer.PASS, Answer.FAIL)) {
      nextCheck(t, probe, a);
      assertEquals(ServerState.UP, t.pool.stats().server("app1").state(), "never two failures in a row");
    }
  }

  /** One check's answer at a time: advances until the probe has answered once more. */
  private static void nextCheck(TestPool t, FakeProbe probe, Answer a) {
    probe.set("app1", a);
    int n = probe.times("app1").size();
    while (probe.times("app1").size() == n) {
      t.advance(Duration.ofMillis(100));
    }
  }

  /**
   * Checks reconfigured on a live pool: an up server starts the new settings at full health (it falls
   * after the new fall count), a down one at zero (it rises after the new rise count), as HAProxy does
   * with a server's health when its check settings change.
   */
  @Test
  void reconfiguredChecksApplyTheirFallAndRiseFromTheServersCurrentState() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(twoServers().healthCheck(HealthCheck.builder().enabled(true).inter(Duration.ofSeconds(1))
        .fall(1).rise(1).build()), probe);
    t.advance(Duration.ofSeconds(2));
    t.pool.reconfigure(t.pool.config().toBuilder().healthCheck(HealthCheck.builder().enabled(true)
        .inter(Duration.ofSeconds(1)).fall(3).rise(2).build()).build());
    nextCheck(t, probe, Answer.FAIL);
    nextCheck(t, probe, Answer.FAIL);
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state(), "fall 3: two failures are not enough");
    nextCheck(t, probe, Answer.FAIL);
    assertEquals(ServerState.DOWN, t.pool.stats().server("app1").state(), "the third");
    t.pool.reconfigure(t.pool.config().toBuilder().healthCheck(HealthCheck.builder().enabled(true)
        .inter(Duration.ofSeconds(1)).fall(3).rise(3).build()).build());
    nextCheck(t, probe, Answer.PASS);
    nextCheck(t, probe, Answer.PASS);
    assertEquals(ServerState.DOWN, t.pool.stats().server("app1").state(), "rise 3: two passes are not enough");
    nextCheck(t, probe, Answer.PASS);
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state(), "the third");
  }

  @Test
  void aCheckThatNeverAnswersFailsAtItsConnectPlusResponseBound() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(twoServers().healthCheck(HealthCheck.builder().enabled(true).inter(Duration.ofMillis(200))
        .fall(1).rise(1).connectTimeout(Duration.ofMillis(20)).timeout(Duration.ofMillis(30)).build()), probe);
    t.advance(Duration.ofMillis(200));
    probe.set("app1", Answer.HANG);
    probe.set("app2", Answer.HANG);
    int before = probe.startedAt.size();
    while (probe.startedAt.size() == before) {
      t.advance(Duration.ofMillis(1)); // until the next check starts, and hangs
    }
    long started = probe.startedAt.get(before);
    String server = probe.log.get(before).substring(0, 4);
    t.advance(Duration.ofNanos(started + Duration.ofMillis(49).toNanos() - t.ticker.read()));
    assertEquals(ServerState.UP, t.pool.stats().server(server).state(), "49ms into the check: still up");
    t.advance(Duration.ofMillis(1));
    assertEquals(ServerState.DOWN, t.pool.stats().server(server).state(), "20ms connect + 30ms response: failed");
    probe.hanging.forEach(f -> f.complete(ServerState.UP)); // a late answer is ignored
    assertEquals(ServerState.DOWN, t.pool.stats().server(server).state());
  }

  @Test
  void withoutATimeoutTheWholeCheckHasInter() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(twoServers().healthCheck(HealthCheck.builder().enabled(true).inter(Duration.ofMillis(200))
        .fall(1).rise(1).connectTimeout(Duration.ofMillis(20)).build()), probe);
    t.advance(Duration.ofMillis(200));
    probe.set("app1", Answer.HANG);
    int before = probe.times("app1").size();
    while (probe.times("app1").size() == before) {
      t.advance(Duration.ofMillis(1));
    }
    t.advance(Duration.ofMillis(219));
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state());
    t.advance(Duration.ofMillis(1));
    assertEquals(ServerState.DOWN, t.pool.stats().server("app1").state(), "the connect bound plus inter");
  }

  @Test
  void aDrainAnswerDrainsTheServerAndAPassBringsItBack() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(twoServers().healthCheck(HealthCheck.builder().enabled(true).inter(Duration.ofMillis(200))
        .fall(1).rise(1).build()), probe);
    t.advance(Duration.ofMillis(400));
    probe.set("app1", Answer.DRAIN);
    t.advance(Duration.ofMillis(400));
    assertEquals(ServerState.DRAIN, t.pool.stats().server("app1").state());
    assertEquals("app2", t.pool.acquire().join().endpoint().name(), "a draining server takes no new work");
    probe.set("app1", Answer.PASS);
    t.advance(Duration.ofMillis(400));
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state());
  }

  @Test
  void markedDownShutsDownIdleAndLeasedConnections() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(twoServers().healthCheck(HealthCheck.builder().enabled(true).inter(Duration.ofMillis(200)).fall(1).build()).maxConnectionsPerServer(4), probe);
    Endpoint app1 = t.pool.config().servers().get(0);
    Lease<Conn> leased = t.pool.acquire(app1).join();
    Lease<Conn> idle = t.pool.acquire(app1).join();
    idle.release();
    probe.set("app1", Answer.FAIL);
    t.advance(Duration.ofMillis(400));
    assertEquals(CloseCause.ENDPOINT_DOWN, leased.connection().closedWith, "leased: shut down now");
    assertEquals(CloseCause.ENDPOINT_DOWN, idle.connection().closedWith);
    leased.release(); // ignored: the pool already closed it
    assertEquals(0, t.pool.stats().server("app1").total());
    Lease<Conn> next = t.pool.acquire().join();
    assertEquals("app2", next.endpoint().name(), "new leases avoid the down server");
  }

  @Test
  void drainClosesIdleNowAndLeasedWhenReleased() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(twoServers().healthCheck(HealthCheck.builder().enabled(true).inter(Duration.ofMillis(200)).fall(1).build()).onMarkedDown(OnMarkedDown.DRAIN).maxConnectionsPerServer(4), probe);
    Endpoint app1 = t.pool.config().servers().get(0);
    Lease<Conn> leased = t.pool.acquire(app1).join();
    Lease<Conn> idle = t.pool.acquire(app1).join();
    idle.release();
    probe.set("app1", Answer.FAIL);
    t.advance(Duration.ofMillis(400));
    assertEquals(CloseCause.ENDPOINT_DOWN, idle.connection().closedWith);
    assertNull(leased.connection().closedWith, "leased: left to finish");
    leased.release();
    assertEquals(CloseCause.ENDPOINT_DOWN, leased.connection().closedWith, "closed when released");
  }

  @Test
  void noneLeavesConnectionsButHandsNothingOut() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(twoServers().healthCheck(HealthCheck.builder().enabled(true).inter(Duration.ofMillis(200)).fall(1).build()).onMarkedDown(OnMarkedDown.NONE), probe);
    Endpoint app1 = t.pool.config().servers().get(0);
    Lease<Conn> a = t.pool.acquire(app1).join();
    a.release();
    probe.set("app1", Answer.FAIL);
    t.advance(Duration.ofMillis(400));
    assertNull(a.connection().closedWith);
    assertEquals("app2", t.pool.acquire().join().endpoint().name());
  }

  @Test
  void riseBringsAServerBackAndNewConnectionsReachIt() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(twoServers().healthCheck(HealthCheck.builder().enabled(true).inter(Duration.ofMillis(200)).fall(1).rise(2).build()), probe);
    probe.set("app1", Answer.FAIL);
    t.advance(Duration.ofMillis(400));
    List<Lease<Conn>> onApp2 = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      onApp2.add(t.pool.acquire().join());
    }
    assertTrue(onApp2.stream().allMatch(l -> l.endpoint().name().equals("app2")));
    probe.set("app1", Answer.PASS);
    t.advance(Duration.ofMillis(200));
    assertEquals(ServerState.DOWN, t.pool.stats().server("app1").state(), "one pass of rise 2");
    t.advance(Duration.ofMillis(200));
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state());
    assertEquals("app1", t.pool.acquire().join().endpoint().name(), "leastconn sends the next one to app1");
  }

  @Test
  void checksNeedAProbe() {
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> ConnectionPool.builder(new io.tether.pool.testing.FakeConnector())
            .config(twoServers().build())
            .scheduler(new io.tether.pool.testing.ManualScheduler(new FakeTicker()))
            .build());
    assertTrue(e.getMessage().contains("no HealthProbe"), e.getMessage());
  }

  @Test
  void aRemovedServerIsNoLongerChecked() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(twoServers(), probe);
    t.advance(Duration.ofSeconds(5));
    int before = probe.times("app2").size();
    assertTrue(before >= 2, "checked while it belongs to the pool: " + probe.log);
    assertTrue(t.pool.removeServer("app2").isDone(), "no connection to wait for");
    t.advance(Duration.ofSeconds(30));
    assertEquals(before, probe.times("app2").size(), "its checker stopped with it: " + probe.log);
    assertTrue(probe.times("app1").size() > before + 10, "the other server's checks go on");
  }

  @Test
  void aFailureWithoutAMessageIsReportedByItsType() {
    FakeProbe probe = new FakeProbe(new FakeTicker()).set("app1", Answer.FAIL_SILENT);
    TestPool t = new TestPool(twoServers(), probe);
    t.advance(Duration.ofSeconds(2));
    assertEquals(List.of("app1: check failed: SocketTimeoutException (0/2 down)"), t.events.reasons);
  }

  @Test
  void checksPauseInMaintenanceAndTheServerRisesFromTheBottomAfter() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(twoServers().healthCheck(HealthCheck.builder().enabled(true)
        .inter(Duration.ofSeconds(2)).fastinter(Duration.ofMillis(500)).rise(2).fall(3).build()), probe);
    t.advance(Duration.ofSeconds(3));
    t.pool.setServerState("app1", ServerState.MAINT);
    int before = probe.times("app1").size();
    t.advance(Duration.ofSeconds(20));
    assertEquals(before, probe.times("app1").size(), "no check while in maintenance: " + probe.log);
    t.pool.setServerState("app1", ServerState.UP);
    assertEquals(ServerState.DOWN, t.pool.stats().server("app1").state(), "out of maintenance it must rise first");
    t.advance(Duration.ofSeconds(3));
    assertTrue(probe.times("app1").size() >= before + 2, "checks resumed: " + probe.log);
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state(), "two passes: rise 2");
  }

  /** As HAProxy's start_check_task: the first checks spread over one interval by position. */
  @Test
  void theFirstChecksAreSpreadOverOneIntervalAmongTheCheckedServers() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10))
        .server("app1", "127.0.0.29", 8080).server("app2", "127.0.0.38", 8080)
        .server(Endpoint.of("app3", "127.0.0.39", 8080).withChecked(false)).server("app4", "127.0.0.40", 8080)
        .healthCheck(HealthCheck.builder().enabled(true).inter(Duration.ofSeconds(3)).build()), probe);
    t.advance(Duration.ofMillis(2999));
    assertEquals(List.of(0L), probe.times("app1"));
    assertEquals(List.of(1000L), probe.times("app2"));
    assertEquals(List.of(), probe.times("app3"), "not checked, and not counted in the spread");
    assertEquals(List.of(2000L), probe.times("app4"));
  }
}
