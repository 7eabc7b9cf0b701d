package io.tether.pool.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tether.pool.Endpoint;
import io.tether.pool.PoolConfig;
import io.tether.pool.testing.TestPool;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * HAProxy's {@code slowstart} as the balancer sees it: a server that joins (or comes back up) has a
 * weight that grows linearly, rounded up and never below 1, from the moment it joined to its full weight
 * at the end of the ramp; a server being removed weighs nothing.
 */
class SlowStartWeightTest {

  private static int weight(TestPool t, String server) {
    PoolEngine<?> e = (PoolEngine<?>) t.pool;
    return e.weightOf(e.members.get(server));
  }

  @Test
  void anAddedServersWeightRampsUpOverSlowStart() {
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10))
        .slowStart(Duration.ofSeconds(10)).server(new Endpoint("app1", "127.0.0.29", 8080, 50)));
    assertEquals(50, weight(t, "app1"), "the pool's first servers start at full weight");
    t.pool.addServer(new Endpoint("app2", "127.0.0.38", 8080, 100));
    assertEquals(1, weight(t, "app2"), "at 0: never below 1");
    t.ticker.advance(Duration.ofSeconds(1));
    assertEquals(10, weight(t, "app2"));
    t.ticker.advance(Duration.ofMillis(4001));
    assertEquals(51, weight(t, "app2"), "5.001s of 10s of 100, rounded up");
    t.ticker.advance(Duration.ofMillis(4998));
    assertEquals(100, weight(t, "app2"), "9.999s: rounded up to the full weight");
    t.ticker.advance(Duration.ofMillis(1));
    assertEquals(100, weight(t, "app2"), "the ramp is over");
    t.pool.setServerWeight("app2", 0);
    assertEquals(0, weight(t, "app2"));
  }

  @Test
  void withoutSlowStartAJoiningServerHasItsFullWeightAtOnceAndALeavingOneNone() {
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10))
        .server("app1", "127.0.0.29", 8080));
    t.pool.addServer(new Endpoint("app2", "127.0.0.38", 8080, 40));
    assertEquals(40, weight(t, "app2"));
    t.pool.acquire(t.pool.config().servers().stream().filter(s -> s.name().equals("app1")).findFirst()
        .orElseThrow()).join(); // app1 keeps a connection, so its removal takes a while
    t.pool.removeServer("app1");
    assertEquals(0, weight(t, "app1"), "being removed: no new connections");
  }

  @Test
  void aServerComingBackUpRampsAgain() {
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10))
        .slowStart(Duration.ofSeconds(10)).server(new Endpoint("app1", "127.0.0.29", 8080, 100))
        .server("app2", "127.0.0.38", 8080));
    t.pool.setServerState("app1", io.tether.pool.ServerState.MAINT);
    t.ticker.advance(Duration.ofMinutes(1));
    t.pool.setServerState("app1", io.tether.pool.ServerState.UP);
    assertEquals(1, weight(t, "app1"));
    t.ticker.advance(Duration.ofSeconds(3));
    assertEquals(30, weight(t, "app1"));
  }
}
