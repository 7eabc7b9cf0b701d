package io.tether.pool;

import io.tether.pool.internal.TestHooks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.TestPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A server that joins a busy pool gets its share of long-lived connections: connections of servers
 * above their share are closed at release, a bounded number per tick, and reopened where there is room.
 */
class RebalanceTest {
  private static final Endpoint APP1 = Endpoint.of("app1", "127.0.0.29", 8080);
  private static final Endpoint APP2 = Endpoint.of("app2", "127.0.0.38", 8080);

  private static Map<String, Integer> open(TestPool t) {
    Map<String, Integer> out = new HashMap<>();
    t.pool.stats().servers().forEach(s -> out.put(s.name(), s.total()));
    return out;
  }

  /** 20 callers, each finishing a request and starting the next every 100 ms, for {@code rounds}. */
  private static void load(TestPool t, List<Lease<Conn>> held, int rounds) {
    for (int round = 0; round < rounds; round++) {
      t.advance(Duration.ofMillis(100));
      for (int i = 0; i < held.size(); i++) {
        held.get(i).release();
        held.set(i, t.lease());
      }
    }
  }

  private static TestPool busyPoolThenAServerJoins(boolean rebalance, List<Lease<Conn>> held) {
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)).maxConnections(100)
        .rebalance(rebalance).server(APP1));
    for (int i = 0; i < 20; i++) {
      held.add(t.lease());
    }
    load(t, held, 5);
    t.pool.addServer(APP2);
    return t;
  }

  @Test
  void anAddedServerGetsItsShareOfLongLivedConnections() {
    List<Lease<Conn>> held = new ArrayList<>();
    TestPool t = busyPoolThenAServerJoins(true, held);
    int rounds = 0;
    while (open(t).get("app2") < 8 && rounds < 100) {
      load(t, held, 1);
      rounds++;
    }
    Map<String, Integer> open = open(t);
    assertTrue(open.get("app1") <= 12 && open.get("app2") >= 8, "within 20% of 10 each: " + open);
    assertTrue(rounds <= 20, "balanced within 2 s of load: " + rounds + " rounds of 100 ms");
    long rebalanced = t.connector.closedWith(CloseCause.REBALANCED);
    assertTrue(rebalanced >= 8 && rebalanced <= 12, "about the excess retired, no more: " + rebalanced);
    load(t, held, 30);
    assertEquals(rebalanced, t.connector.closedWith(CloseCause.REBALANCED), "balanced: no more retirement");
  }

  @Test
  void withoutRebalancingTheNewServerGetsNothing() {
    List<Lease<Conn>> held = new ArrayList<>();
    TestPool t = busyPoolThenAServerJoins(false, held);
    load(t, held, 50);
    assertEquals(0, open(t).get("app2"), "long-lived connections stay where they were: " + open(t));
  }

  @Test
  void anIdlePoolDoesNotShrink() {
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)).maxConnections(100)
        .server(APP1));
    List<Lease<Conn>> held = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      held.add(t.lease());
    }
    held.forEach(Lease::release);
    t.pool.addServer(APP2);
    t.advance(Duration.ofSeconds(30));
    assertEquals(20, t.pool.stats().idle(), "marking closes nothing without demand");
    assertEquals(0, t.connector.closed.size());
  }

  @Test
  void weightsSetTheShares() {
    List<Lease<Conn>> held = new ArrayList<>();
    TestPool t = busyPoolThenAServerJoins(true, held);
    t.pool.setServerWeight("app2", 3);
    load(t, held, 40);
    Map<String, Integer> open = open(t);
    assertTrue(open.get("app2") >= 12 && open.get("app1") <= 6, "within 20% of 5 and 15: " + open);
  }

  /** {@code n} leases on {@code server}, opened there. */
  private static List<Lease<Conn>> leases(TestPool t, Endpoint server, int n) {
    List<Lease<Conn>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(t.pool.acquire(server).join());
    }
    return out;
  }

  /** One step on servers holding {@code onApp1} and {@code onApp2}; how many app1 closes at release. */
  private static long stepThenRelease(int onApp1, int onApp2, boolean[] outOfBalance) {
    // rebalance off: no tick runs on its own, the test takes each step itself
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)).maxConnections(100)
        .rebalance(false).server(APP1).server(APP2));
    List<Lease<Conn>> a = leases(t, APP1, onApp1);
    List<Lease<Conn>> b = leases(t, APP2, onApp2);
    outOfBalance[0] = TestHooks.rebalanceStep(t.pool);
    a.forEach(Lease::release);
    b.forEach(Lease::release);
    assertEquals(0, t.connector.closed.stream().filter(c -> c.endpoint.name().equals("app2")).count(),
        "nothing of the server below its share is retired");
    return t.connector.closedWith(CloseCause.REBALANCED);
  }

  @Test
  void withinTwentyPercentOfTheShareIsBalancedAndBeyondItAQuarterOfTheExcessIsRetiredPerStep() {
    boolean[] unbalanced = new boolean[1];
    // 6 and 4 around a share of 5: 4 is not below 80% of 5, 6 not above 120%
    assertEquals(0, stepThenRelease(6, 4, unbalanced));
    assertFalse(unbalanced[0], "6/4 is within the tolerance");
    // 7 and 3: 3 is below 4; app1's excess is 2, a quarter rounded up is 1
    assertEquals(1, stepThenRelease(7, 3, unbalanced));
    assertTrue(unbalanced[0]);
    // 29 and 1 around 15: an excess of 14, a quarter rounded up is 4
    assertEquals(4, stepThenRelease(29, 1, unbalanced));
    // 30 and 0: an excess of 15, 4 again; 33 and 1 around 17: excess 16, 4
    assertEquals(4, stepThenRelease(30, 0, unbalanced));
    assertEquals(4, stepThenRelease(33, 1, unbalanced));
    // 34 and 0: excess 17, 5
    assertEquals(5, stepThenRelease(34, 0, unbalanced));
  }

  @Test
  void aSingleServerOrAnEmptyPoolHasNothingToBalance() {
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)).rebalance(false)
        .server(APP1).server(APP2));
    assertFalse(TestHooks.rebalanceStep(t.pool), "no connection anywhere");
    t.pool.setServerState("app2", ServerState.MAINT);
    List<Lease<Conn>> a = leases(t, APP1, 5);
    assertFalse(TestHooks.rebalanceStep(t.pool), "one server in the rotation");
    a.forEach(Lease::release);
    assertEquals(0, t.connector.closedWith(CloseCause.REBALANCED));
  }

  @Test
  void aServerWithWeightZeroTakesNoShare() {
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)).rebalance(false)
        .server(APP1).server(APP2));
    List<Lease<Conn>> a = leases(t, APP1, 8);
    t.pool.setServerWeight("app2", 0);
    assertFalse(TestHooks.rebalanceStep(t.pool), "app2 is out of the rotation with weight 0");
    a.forEach(Lease::release);
  }
}
