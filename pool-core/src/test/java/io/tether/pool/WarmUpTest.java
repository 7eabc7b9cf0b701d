package io.tether.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.haproxy.HaproxyConfig;
import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.TestPool;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@code min-idle} warm-up on a fake clock: connections opened one at a time per server, kept at the
 * minimum, and, as long as they never carried a request, closed before HAProxy's {@code timeout
 * http-request} would answer them with an unsolicited 408.
 */
class WarmUpTest {
  /** HAProxy: {@code timeout http-request 10s}, {@code timeout http-keep-alive 10m}. No jitter: exact times. */
  private static PoolConfig.Builder behindHaproxy(int minIdle) {
    return PoolConfig.builder().minIdle(minIdle).eviction(Eviction.builder().lbIdleTimeout(Duration.ofMinutes(10))
        .lbFirstRequestTimeout(Duration.ofSeconds(10)).jitter(0).build());
  }

  @Test
  void warmUpOpensOneConnectionAtATimeUntilTheMinimumIsIdle() {
    TestPool t = new TestPool(behindHaproxy(3).maxConnections(8));
    t.connector.manualConnects = true;
    t.advance(Duration.ZERO);
    for (int i = 1; i <= 3; i++) {
      assertEquals(1, t.connector.pendingConnects(), "one warm-up connect at a time, #" + i);
      t.connector.completePending(1, e -> false);
    }
    assertEquals(0, t.connector.pendingConnects(), "no more than min-idle");
    assertEquals(3, t.pool.stats().idle());
    assertEquals(0, t.pool.stats().leased());
  }

  @Test
  void aNeverUsedConnectionLeavesBeforeTheBalancersFirstRequestTimeoutAndIsReplaced() {
    TestPool t = new TestPool(behindHaproxy(2), true);
    t.advance(Duration.ZERO);
    assertEquals(2, t.pool.stats().idle());
    Eviction e = t.pool.config().eviction();
    assertEquals(Duration.ofSeconds(9), e.evictUnusedAfter(), "0.9 x timeout http-request");
    assertEquals(Duration.ofMinutes(9), e.evictAfter(), "0.9 x timeout http-keep-alive");
    Duration margin = e.handoutMargin();
    assertEquals(Duration.ofMillis(450), margin, "5% of the shorter deadline");

    t.advance(Duration.ofSeconds(9).minus(margin).minusMillis(1));
    assertTrue(t.connector.closed.isEmpty(), "nothing closed before its deadline");
    t.advance(Duration.ofMillis(1));
    assertEquals(2, t.connector.closed.size(), "both warmed connections closed at 9s less the margin");
    for (Conn c : t.connector.closed) {
      assertEquals(CloseCause.IDLE_EVICTED, c.closedWith);
    }
    assertEquals(2, t.pool.stats().idle(), "and replaced");
    assertEquals(4, t.connector.connectCalls.get());
  }

  @Test
  void aConnectionOnceLeasedKeepsTheKeepAliveDeadline() {
    TestPool t = new TestPool(behindHaproxy(1));
    t.advance(Duration.ZERO);
    Lease<Conn> l = t.pool.tryAcquire();
    assertNotNull(l, "the warmed connection is handed out");
    Conn used = l.connection();
    l.release();
    t.advance(Duration.ofSeconds(30));
    assertEquals(null, used.closedWith, "used: evicted at 9m, not at the first-request deadline");
    assertEquals(1, t.pool.stats().idle(), "and it counts toward min-idle: nothing else opened");
    assertEquals(1, t.connector.connectCalls.get());
    t.advance(Duration.ofMinutes(9));
    assertEquals(CloseCause.IDLE_EVICTED, used.closedWith);
  }

  /**
   * An hour of fake time against a model of HAProxy: every connection the pool holds is checked each
   * 100 ms; a never-used one idle 10 s would have got a 408. Requests arrive at random, so warmed
   * connections are used, evicted and replaced throughout.
   */
  @Test
  void anHourOfWarmUpAndRandomRequestsNeverMeetsTheFirstRequestTimeout() {
    TestPool t = new TestPool(behindHaproxy(4).maxConnections(16).eviction(Eviction.builder()
        .lbIdleTimeout(Duration.ofSeconds(30)).lbFirstRequestTimeout(Duration.ofSeconds(10)).build()));
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(42);
    Map<Conn, Long> openedAt = new HashMap<>();
    Set<Conn> used = new HashSet<>();
    long step = Duration.ofMillis(100).toNanos();
    long end = Duration.ofHours(1).toNanos();
    int requests = 0;
    int firstRequestsOnWarmed = 0;
    long lowestIdle = Long.MAX_VALUE;
    for (long now = 0; now < end; now += step) {
      t.advance(Duration.ofNanos(step));
      for (Conn c : t.connector.opened) {
        openedAt.putIfAbsent(c, now);
        if (c.closedWith == null && !used.contains(c)) {
          assertTrue(now - openedAt.get(c) < Duration.ofSeconds(10).toNanos(),
              c + " never used and idle 10s at " + Duration.ofNanos(now) + ": HAProxy would have sent a 408");
        }
      }
      if (rnd.nextInt(50) == 0) { // about one request every 5 s
        Lease<Conn> l = t.lease();
        if (!used.contains(l.connection()) && openedAt.containsKey(l.connection())) {
          firstRequestsOnWarmed++;
        }
        used.add(l.connection());
        requests++;
        l.release();
      }
      if (now > Duration.ofSeconds(1).toNanos()) {
        lowestIdle = Math.min(lowestIdle, t.pool.stats().idle());
      }
    }
    assertTrue(requests > 600, "requests " + requests);
    assertTrue(firstRequestsOnWarmed > 100, "warmed connections served first requests: " + firstRequestsOnWarmed);
    assertEquals(4, lowestIdle, "never fewer than min-idle idle after warm-up");
    assertTrue(t.connector.connectCalls.get() > 3600 / 9, "replaced as they aged: " + t.connector.connectCalls.get());
  }

  @Test
  void aFailedWarmUpConnectIsRetriedAfterASecondNotInALoop() {
    TestPool t = new TestPool(behindHaproxy(2));
    t.connector.refusing.add("app1");
    t.advance(Duration.ZERO);
    assertEquals(1, t.connector.connectCalls.get());
    t.advance(Duration.ofMillis(999));
    assertEquals(1, t.connector.connectCalls.get(), "no retry within the second");
    t.advance(Duration.ofMillis(1));
    assertEquals(2, t.connector.connectCalls.get());
    t.connector.refusing.clear();
    t.advance(Duration.ofSeconds(1));
    assertEquals(2, t.pool.stats().idle(), "the server answers again: warmed up");
  }

  @Test
  void warmUpWaitsWhileAcquiresWaitAndRespectsTheServerLimit() {
    TestPool t = new TestPool(behindHaproxy(2).maxConnections(2));
    t.connector.manualConnects = true;
    CompletableFuture<Lease<Conn>> a = t.pool.acquire();
    CompletableFuture<Lease<Conn>> b = t.pool.acquire();
    t.advance(Duration.ZERO);
    assertEquals(2, t.connector.pendingConnects(), "the acquires' own connects, no warm-up beyond the limit");
    t.connector.completePending(2, e -> false);
    assertTrue(a.isDone() && b.isDone());
    a.join().release();
    t.advance(Duration.ofSeconds(1));
    assertEquals(0, t.connector.pendingConnects(), "two open: the limit; nothing more to warm");
    assertEquals(2, t.connector.connectCalls.get());
  }

  @Test
  void aServerInMaintenanceIsNotWarmedAndIsWhenItComesBack() {
    TestPool t = new TestPool(behindHaproxy(2).server("app1", "127.0.0.29", 8080).server("app2", "127.0.0.38", 8080));
    t.pool.setServerState("app2", ServerState.MAINT);
    t.advance(Duration.ZERO);
    assertEquals(2, t.pool.stats().server("app1").idle());
    assertEquals(0, t.pool.stats().server("app2").total());
    t.pool.setServerState("app2", ServerState.UP);
    t.advance(Duration.ZERO);
    assertEquals(2, t.pool.stats().server("app2").idle());
  }

  @Test
  void withoutMinIdleNothingOpensOnItsOwn() {
    TestPool t = new TestPool(behindHaproxy(0));
    t.advance(Duration.ofMinutes(1));
    assertEquals(0, t.connector.connectCalls.get());
    assertNull(t.pool.tryAcquire());
  }

  @Test
  void settingsAreCheckedAndNamed() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> PoolConfig.builder().maxConnectionsPerServer(4).minIdle(5).build());
    assertEquals("tether.pool.min-idle", e.key());
    assertTrue(e.getMessage().contains("at most tether.pool.max-connections-per-server 4"), e.getMessage());
    ConfigException neg = assertThrows(ConfigException.class, () -> PoolConfig.builder().minIdle(-1));
    assertEquals("tether.pool.min-idle", neg.key());
    ConfigException margin = assertThrows(ConfigException.class, () -> Eviction.builder()
        .lbFirstRequestTimeout(Duration.ofSeconds(1)).handoutMargin(Duration.ofSeconds(1)).build());
    assertEquals("tether.pool.handout-margin", margin.key());
    assertTrue(margin.getMessage().contains("tether.pool.lb-first-request-timeout"), margin.getMessage());

    Properties p = new Properties();
    p.setProperty("tether.pool.min-idle", "3");
    p.setProperty("tether.pool.lb-first-request-timeout", "5s");
    PoolConfig c = PoolConfig.fromProperties(p);
    assertEquals(3, c.minIdle());
    assertEquals(Duration.ofSeconds(5), c.eviction().lbFirstRequestTimeout());
    assertEquals(Duration.ofMillis(4500), c.eviction().evictUnusedAfter());
    assertEquals("3", c.toProperties().getProperty("tether.pool.min-idle"));
  }

  @Test
  void theHaproxyReaderGivesTheFirstRequestTimeoutWhenItIsShorter() {
    HaproxyConfig cfg = HaproxyConfig.parse("defaults\n  mode http\n  timeout client 1m\n  timeout http-request 5s\n"
        + "  timeout http-keep-alive 30s\n\nfrontend web\n  bind :80\n  default_backend app\n\nbackend app\n"
        + "  server a 127.0.0.29:8080\n", "haproxy.cfg", k -> null);
    PoolConfig c = PoolConfig.builder().apply(cfg.frontend("web")).build();
    assertEquals(Duration.ofSeconds(30), c.eviction().lbIdleTimeout());
    assertEquals(Duration.ofSeconds(5), c.eviction().lbFirstRequestTimeout());

    HaproxyConfig tcp = HaproxyConfig.parse("defaults\n  mode tcp\n  timeout client 20s\n  timeout server 20s\n\n"
        + "frontend raw\n  bind :80\n  default_backend app\n\nbackend app\n  server a 127.0.0.29:8080\n", "haproxy.cfg", k -> null);
    PoolConfig t = PoolConfig.builder().apply(tcp.frontend("raw")).build();
    assertEquals(Duration.ZERO, t.eviction().lbFirstRequestTimeout(), "tcp: no first-request timeout of its own");
  }
}
