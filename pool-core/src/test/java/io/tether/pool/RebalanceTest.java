package io.tether.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
