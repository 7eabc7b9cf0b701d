package io.tether.pool;

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
        .check(true);
  }

  private static List<Long> gaps(List<Long> times) {
    List<Long> out = new ArrayList<>();
    for (int i = 1; i < times.size(); i++) {
      out.add(times.get(i) - times.get(i - 1));
    }
    return out;
  }

  @Test
  void cadenceFollowsInterFastinterAndDowninter() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(twoServers().checkInter(Duration.ofSeconds(2)).checkFastinter(Duration.ofMillis(500))
        .checkDowninter(Duration.ofSeconds(5)).checkFall(3).checkRise(2).checkTimeout(Duration.ofSeconds(1)), probe);
    t.advance(Duration.ofSeconds(2)); // first checks, spread over the first interval
    long first = probe.times("app1").get(0);
    t.advance(Duration.ofSeconds(4));
    probe.set("app1", Answer.FAIL);
    t.advance(Duration.ofSeconds(20));
    probe.set("app1", Answer.PASS);
    t.advance(Duration.ofSeconds(12));

    List<Long> times = probe.times("app1");
    List<Long> g = gaps(times);
    // up: every 2s; first failure then fastinter 500ms twice (3rd failure = fall); down: every 5s;
    // first pass then fastinter 500ms (2nd pass = rise); up again: every 2s
    int firstFail = (int) ((6000 - first + 1999) / 2000); // index of the first check at or after 6s
    assertEquals(List.of(2000L, 2000L), g.subList(firstFail - 2, firstFail), "up: inter " + g);
    assertEquals(List.of(500L, 500L, 5000L), g.subList(firstFail, firstFail + 3), "falling then down: " + g);
    assertTrue(t.events.events.contains("state app1 UP->DOWN"), t.events.events.toString());
    assertTrue(t.events.events.contains("state app1 DOWN->UP"), t.events.events.toString());
    int upAgain = g.lastIndexOf(500L);
    assertEquals(2000L, g.get(upAgain + 1), "inter again once up: " + g);
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state());
  }

  @Test
  void aCheckThatNeverAnswersFailsAtItsTimeout() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(twoServers().checkInter(Duration.ofMillis(200)).checkFall(1).checkRise(1)
        .checkTimeout(Duration.ofMillis(50)), probe);
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
    assertEquals(ServerState.DOWN, t.pool.stats().server(server).state(), "50ms: timed out, fall 1");
    probe.hanging.forEach(f -> f.complete(null)); // a late answer is ignored
    assertEquals(ServerState.DOWN, t.pool.stats().server(server).state());
  }

  @Test
  void markedDownShutsDownIdleAndLeasedConnections() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(twoServers().checkInter(Duration.ofMillis(200)).checkFall(1)
        .maxConnectionsPerServer(4), probe);
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
    TestPool t = new TestPool(twoServers().checkInter(Duration.ofMillis(200)).checkFall(1)
        .onMarkedDown(OnMarkedDown.DRAIN).maxConnectionsPerServer(4), probe);
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
    TestPool t = new TestPool(twoServers().checkInter(Duration.ofMillis(200)).checkFall(1)
        .onMarkedDown(OnMarkedDown.NONE), probe);
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
    TestPool t = new TestPool(twoServers().checkInter(Duration.ofMillis(200)).checkFall(1).checkRise(2), probe);
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
}
