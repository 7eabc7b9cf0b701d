package io.tether.pool;

import io.tether.pool.internal.TestHooks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.FakeProbe;
import io.tether.pool.testing.FakeProbe.Answer;
import io.tether.pool.testing.FakeTicker;
import io.tether.pool.testing.TestPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Prefer-last-server, balancing, observation, redispatch and runtime state, on fake time. */
class AffinityAndFailoverTest {

  /** One checked server (inter 10s, rise 1) whose observed errors mark it down at {@code errorLimit}. */
  private static PoolConfig.Builder observed(int errorLimit) {
    return PoolConfig.builder().server("app1", "127.0.0.29", 8080).lbIdleTimeout(Duration.ofMinutes(10))
        .healthCheck(HealthCheck.builder().enabled(true).inter(Duration.ofSeconds(10)).rise(1).build())
        .errorLimit(errorLimit);
  }

  private static PoolConfig.Builder twoServers() {
    return PoolConfig.builder()
        .server("app1", "127.0.0.29", 8080)
        .server("app2", "127.0.0.38", 8080)
        .lbIdleTimeout(Duration.ofMinutes(10));
  }

  private static TestPool checked(PoolConfig.Builder b, FakeProbe probe) {
    return new TestPool(b.healthCheck(HealthCheck.builder().enabled(true).inter(Duration.ofMillis(200)).fall(1).rise(1).build()), probe);
  }

  @Test
  void aKeyGetsTheConnectionItUsedLast() {
    TestPool t = new TestPool(PoolConfig.builder().server("app1", "127.0.0.29", 8080)
        .lbIdleTimeout(Duration.ofMinutes(10)));
    Lease<Conn> first = t.pool.acquireByKey("session-42").join();
    Lease<Conn> second = t.pool.acquire().join();
    second.release();
    first.release();
    Lease<Conn> thief = t.pool.tryAcquire(); // LIFO hands `first` to someone else
    assertSame(first.connection(), thief.connection());
    Lease<Conn> again = t.pool.acquireByKey("session-42").join();
    assertSame(first.endpoint(), again.endpoint(), "its connection is busy: at least the same server");
    thief.release();
    again.release();
    for (int i = 0; i < 5; i++) {
      Lease<Conn> l = t.pool.tryAcquireByKey("session-42");
      assertSame(again.connection(), l.connection(), "the same connection while it is idle");
      l.release();
    }
  }

  @Test
  void keysSpreadOverServersByLeastConnections() {
    TestPool t = new TestPool(twoServers());
    Map<String, Integer> perServer = new HashMap<>();
    List<Lease<Conn>> held = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Lease<Conn> l = t.pool.acquireByKey("user-" + i).join();
      held.add(l);
      perServer.merge(l.endpoint().name(), 1, Integer::sum);
    }
    assertEquals(Map.of("app1", 5, "app2", 5), perServer);
  }

  @Test
  void weightsSteerNewConnections() {
    TestPool lc = new TestPool(PoolConfig.builder()
        .server(new Endpoint("big", "127.0.0.29", 8080, 3)).server(new Endpoint("small", "127.0.0.38", 8080, 1)));
    TestPool rr = new TestPool(PoolConfig.builder().balance(Balance.ROUNDROBIN)
        .server(new Endpoint("big", "127.0.0.29", 8080, 3)).server(new Endpoint("small", "127.0.0.38", 8080, 1)));
    for (TestPool t : List.of(lc, rr)) {
      Map<String, Integer> n = new HashMap<>();
      for (int i = 0; i < 40; i++) {
        n.merge(t.pool.acquire().join().endpoint().name(), 1, Integer::sum);
      }
      assertEquals(Map.of("big", 30, "small", 10), n, t.pool.config().balance().name());
    }
  }

  @Test
  void aKeyWhoseServerIsDownIsRedispatchedAndRepinned() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = checked(twoServers(), probe);
    Lease<Conn> l = t.pool.acquireByKey("session-7").join();
    String pinned = l.endpoint().name();
    String other = pinned.equals("app1") ? "app2" : "app1";
    l.release();
    probe.set(pinned, Answer.FAIL);
    t.advance(Duration.ofMillis(400));
    assertEquals(CloseCause.ENDPOINT_DOWN, l.connection().closedWith, "its connection was shut down");
    Lease<Conn> moved = t.pool.acquireByKey("session-7").join();
    assertEquals(other, moved.endpoint().name());
    moved.release();
    probe.set(pinned, Answer.PASS);
    t.advance(Duration.ofMillis(400));
    assertEquals(ServerState.UP, t.pool.stats().server(pinned).state());
    assertEquals(other, t.pool.acquireByKey("session-7").join().endpoint().name(),
        "prefer-last-server: the key stays where it was re-pinned");
  }

  @Test
  void aKeyedAcquireWaitingForADownServerMovesToAnother() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = checked(twoServers().maxConnectionsPerServer(1).acquireTimeout(Duration.ofMinutes(1)), probe);
    Lease<Conn> holder = t.pool.acquireByKey("k").join();
    String pinned = holder.endpoint().name();
    CompletableFuture<Lease<Conn>> waiting = t.pool.acquireByKey("k");
    assertFalse(waiting.isDone(), "its server is at its limit of 1");
    probe.set(pinned, Answer.FAIL);
    t.advance(Duration.ofMillis(400));
    assertTrue(waiting.isDone());
    assertNotEquals(pinned, waiting.join().endpoint().name());
  }

  @Test
  void anAcquireForADownServerFailsTyped() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = checked(twoServers(), probe);
    probe.set("app1", Answer.FAIL);
    t.advance(Duration.ofMillis(400));
    CompletionException e = assertThrows(CompletionException.class,
        () -> t.pool.acquire(t.pool.config().servers().get(0)).join());
    EndpointDownException down = assertInstanceOf(EndpointDownException.class, e.getCause());
    assertEquals("app1", down.endpointName());
  }

  @Test
  void affinityTableIsBoundedAndForgetsIdleKeys() {
    TestPool t = new TestPool(twoServers().affinityMaxKeys(100).affinityIdleTimeout(Duration.ofMinutes(1)));
    for (int i = 0; i < 1000; i++) {
      t.pool.acquireByKey("key-" + i).join().release();
    }
    assertTrue(TestHooks.affinityKeys(t.pool) <= 101, "bounded: " + TestHooks.affinityKeys(t.pool));
    t.advance(Duration.ofMinutes(2));
    assertEquals(0, TestHooks.affinityKeys(t.pool), "idle keys forgotten");
  }

  @Test
  void observedConnectFailuresMarkAServerDownAndChecksBringItBack() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(observed(3).retries(0), probe);
    t.connector.refusing.add("app1");
    for (int i = 0; i < 3; i++) {
      assertInstanceOf(ConnectFailedException.class,
          assertThrows(CompletionException.class, () -> t.pool.acquire().join()).getCause());
    }
    assertEquals(ServerState.DOWN, t.pool.stats().server("app1").state(), "3 in a row = error-limit");
    assertTrue(t.events.events.contains("state app1 UP->DOWN"));
    t.connector.refusing.clear();
    t.advance(Duration.ofSeconds(10)); // the next check passes: rise 1
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state());
  }

  /** error-limit counts consecutive errors: a success in between starts the count again. */
  @Test
  void aSuccessBetweenObservedErrorsStartsTheCountAgain() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(observed(3).retries(0), probe);
    for (int round = 0; round < 3; round++) {
      t.connector.refusing.add("app1");
      for (int i = 0; i < 2; i++) {
        assertThrows(CompletionException.class, () -> t.pool.acquire().join());
      }
      t.connector.refusing.clear();
      t.pool.acquireFresh().join().invalidate(CloseCause.BROKEN, null);
    }
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state(), "never 3 in a row");
  }

  /** A connection handed back after its use is a success too: it starts the error count again. */
  @Test
  void aReleaseBetweenObservedErrorsStartsTheCountAgain() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(observed(3).retries(0), probe);
    Lease<Conn> held = t.lease();
    t.connector.refusing.add("app1");
    for (int i = 0; i < 2; i++) {
      assertThrows(CompletionException.class, () -> t.pool.acquireFresh().join());
    }
    held.release();
    for (int i = 0; i < 2; i++) {
      assertThrows(CompletionException.class, () -> t.pool.acquireFresh().join());
    }
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state(), "2, a release, 2: never 3 in a row");
    assertThrows(CompletionException.class, () -> t.pool.acquireFresh().join());
    assertEquals(ServerState.DOWN, t.pool.stats().server("app1").state(), "the third in a row counts");
  }

  /** observe layer4: a peer reset of a connection in use is an error; of an idle one it is not. */
  @Test
  void resetsOfLeasedConnectionsCountTowardErrorLimitAndResetsOfIdleOnesDoNot() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(observed(2), probe);
    List<Lease<Conn>> idle = List.of(t.lease(), t.lease(), t.lease());
    idle.forEach(Lease::release);
    idle.forEach(l -> l.connection().signals.closedByPeer(true));
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state(), "idle resets are HAProxy's usual close");
    Lease<Conn> a = t.lease();
    Lease<Conn> b = t.lease();
    Lease<Conn> c = t.lease(); // each connect a success: the count starts at 0
    a.connection().signals.closedByPeer(false);
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state(), "a FIN mid-use is not counted");
    b.connection().signals.closedByPeer(true);
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state(), "one reset in use");
    c.connection().signals.closedByPeer(true);
    assertEquals(ServerState.DOWN, t.pool.stats().server("app1").state(), "two resets in use: error-limit 2");
  }

  /** A session waiting for room on its server moves with its key when that server drains. */
  @Test
  void aKeyedAcquireWaitingOnAServerThatDrainsIsServedByTheNextServer() {
    TestPool t = new TestPool(twoServers().maxConnectionsPerServer(1));
    Lease<Conn> first = t.pool.acquireByKey("user-1").join();
    String pinned = first.endpoint().name();
    String other = pinned.equals("app1") ? "app2" : "app1";
    CompletableFuture<Lease<Conn>> second = t.pool.acquireByKey("user-1");
    assertFalse(second.isDone(), "its server is at its limit of 1");
    t.pool.setServerState(pinned, ServerState.DRAIN);
    assertEquals(other, second.join().endpoint().name(), "moved with its key, not failed");
    first.release();
    second.join().release();
    assertEquals(other, t.pool.acquireByKey("user-1").join().endpoint().name(), "and the key stays there");
  }

  /** prefer-last-server at the connection: the key's own last connection, not the most recent idle one. */
  @Test
  void aKeyGetsTheConnectionItUsedLastEvenWhenAnotherWasReleasedSince() {
    TestPool t = new TestPool(PoolConfig.builder().server("app1", "127.0.0.29", 8080)
        .lbIdleTimeout(Duration.ofMinutes(10)));
    Lease<Conn> mine = t.pool.acquireByKey("user-1").join();
    Lease<Conn> theirs = t.pool.acquireByKey("user-2").join();
    mine.release();
    theirs.release(); // the most recently released: what a plain acquire would get
    assertSame(mine.connection(), t.pool.tryAcquireByKey("user-1").connection());
    assertSame(theirs.connection(), t.pool.tryAcquire().connection());
  }

  @Test
  void aKeyWhoseLastConnectionWasServedToItWhileWaitingGetsThatOneBack() {
    TestPool t = new TestPool(PoolConfig.builder().server("app1", "127.0.0.29", 8080).maxConnections(1)
        .lbIdleTimeout(Duration.ofMinutes(10)));
    Lease<Conn> other = t.pool.acquireByKey("user-2").join();
    CompletableFuture<Lease<Conn>> waiting = t.pool.acquireByKey("user-1");
    other.release(); // served to user-1's waiting acquire
    Conn served = waiting.join().connection();
    assertSame(other.connection(), served);
    waiting.join().release();
    assertSame(served, t.pool.tryAcquireByKey("user-1").connection(), "remembered as user-1's last");
  }

  @Test
  void aKeyWhoseLastConnectionIsPastItsDeadlineGetsAnotherOnTheSameServer() {
    TestPool t = new TestPool(PoolConfig.builder().server("app1", "127.0.0.29", 8080)
        .lbIdleTimeout(Duration.ofMinutes(10)).eviction(Eviction.builder().jitter(0).build()));
    Lease<Conn> mine = t.pool.acquireByKey("user-1").join();
    Lease<Conn> fresher = t.lease();
    mine.release();
    t.ticker.advance(Duration.ofMinutes(5)); // the clock only: no sweep
    fresher.release(); // idle from 5m
    t.ticker.advance(Duration.ofMinutes(4)); // 9m: the key's connection is due, the other is not
    Lease<Conn> got = t.pool.tryAcquireByKey("user-1");
    assertSame(fresher.connection(), got.connection());
    assertEquals(CloseCause.IDLE_EVICTED, mine.connection().closedWith, "closed when found, never handed out");
  }

  @Test
  void aKeyPinnedToAServerNotUpGetsNothingIdleButAnAcquireMovesIt() {
    TestPool t = new TestPool(twoServers());
    Lease<Conn> mine = t.pool.acquireByKey("user-1").join();
    String pinned = mine.endpoint().name();
    mine.release();
    t.pool.setServerState(pinned, ServerState.MAINT);
    assertNull(t.pool.tryAcquireByKey("user-1"), "nothing idle for it on a server in maintenance");
    assertNotEquals(pinned, t.pool.acquireByKey("user-1").join().endpoint().name());
  }

  /** A holder that ends its lease because the peer reset it reports what the transport would have. */
  @Test
  void leasesInvalidatedAsPeerResetCountTowardErrorLimitAndBrokenOnesDoNot() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(observed(2), probe);
    List<Lease<Conn>> held = List.of(t.lease(), t.lease(), t.lease(), t.lease());
    held.get(0).invalidate(CloseCause.BROKEN, null);
    held.get(1).invalidate(CloseCause.BROKEN, null);
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state(), "the holder's own verdict, not the server's");
    held.get(2).invalidate(CloseCause.PEER_RESET, null);
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state());
    held.get(3).invalidate(CloseCause.PEER_RESET, null);
    assertEquals(ServerState.DOWN, t.pool.stats().server("app1").state(), "two resets: error-limit 2");
  }

  /** A session whose connect to its server fails is redispatched, and its key moves with it. */
  @Test
  void aKeyedConnectThatFailsIsRedispatchedAndTheKeyRePinned() {
    TestPool t = new TestPool(twoServers().retries(1));
    Lease<Conn> first = t.pool.acquireByKey("user-1").join();
    String pinned = first.endpoint().name();
    String other = pinned.equals("app1") ? "app2" : "app1";
    first.release();
    t.connector.refusing.add(pinned);
    Lease<Conn> fresh = t.pool.acquireFreshByKey("user-1").join();
    assertEquals(other, fresh.endpoint().name(), "the retry went to the other server");
    fresh.release();
    t.connector.refusing.clear();
    assertEquals(other, t.pool.acquireByKey("user-1").join().endpoint().name(), "and the key stayed there");
  }

  /** An acquire for one named server is not redispatched: its connect failure is its answer. */
  @Test
  void anAcquireForANamedServerIsRetriedThereOnly() {
    TestPool t = new TestPool(twoServers().retries(2));
    Endpoint app1 = t.pool.config().servers().get(0);
    t.connector.refusing.add("app1");
    assertInstanceOf(ConnectFailedException.class,
        assertThrows(CompletionException.class, () -> t.pool.acquire(app1).join()).getCause());
    assertEquals(3, t.connector.connectCalls.get(), "the first try and two retries, all to app1");
    assertEquals(0, t.pool.stats().server("app2").total());
  }

  @Test
  void withObserveNoneConnectFailuresNeverMarkAServerDown() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(observed(3).observe(false).retries(0), probe);
    t.connector.refusing.add("app1");
    for (int i = 0; i < 10; i++) {
      assertInstanceOf(ConnectFailedException.class,
          assertThrows(CompletionException.class, () -> t.pool.acquire().join()).getCause());
    }
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state(), "only checks decide, and they pass");
    assertTrue(t.events.matching("state").isEmpty(), t.events.events.toString());
  }

  @Test
  void aFailedConnectIsRedispatchedToAnotherServer() {
    TestPool t = new TestPool(twoServers());
    t.connector.refusing.add("app1");
    for (int i = 0; i < 4; i++) {
      assertEquals("app2", t.pool.acquire().join().endpoint().name());
    }
    assertTrue(t.events.matching("connect-failed app1").size() >= 1);
  }

  @Test
  void withoutRedispatchAFailedConnectFailsTheAcquire() {
    TestPool t = new TestPool(PoolConfig.builder().server("app1", "127.0.0.29", 8080).redispatch(false).retries(0)
        .lbIdleTimeout(Duration.ofMinutes(10)));
    t.connector.refusing.add("app1");
    assertInstanceOf(ConnectFailedException.class,
        assertThrows(CompletionException.class, () -> t.pool.acquire().join()).getCause());
    assertEquals(1, t.connector.connectCalls.get());
  }

  @Test
  void runtimeDrainThenReady() {
    TestPool t = new TestPool(twoServers().maxConnectionsPerServer(4));
    Endpoint app1 = t.pool.config().servers().get(0);
    Lease<Conn> leased = t.pool.acquire(app1).join();
    Lease<Conn> idle = t.pool.acquire(app1).join();
    idle.release();
    t.pool.setServerState("app1", ServerState.DRAIN);
    assertEquals(CloseCause.ENDPOINT_DOWN, idle.connection().closedWith);
    assertNull(leased.connection().closedWith);
    assertEquals("app2", t.pool.acquire().join().endpoint().name());
    leased.release();
    assertEquals(CloseCause.ENDPOINT_DOWN, leased.connection().closedWith);
    t.pool.setServerState("app1", ServerState.UP);
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state());
    assertEquals("app1", t.pool.acquire(app1).join().endpoint().name());
  }

  @Test
  void runtimeMaintenanceShutsDownAndNeedsRiseToReturn() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = checked(twoServers().healthCheck(HealthCheck.builder().enabled(true).rise(2).build()), probe);
    Endpoint app1 = t.pool.config().servers().get(0);
    Lease<Conn> leased = t.pool.acquire(app1).join();
    t.pool.setServerState("app1", ServerState.MAINT);
    assertEquals(CloseCause.ENDPOINT_DOWN, leased.connection().closedWith, "maintenance shuts sessions down");
    assertEquals(ServerState.MAINT, t.pool.stats().server("app1").state());
    t.pool.setServerState("app1", ServerState.UP);
    assertEquals(ServerState.DOWN, t.pool.stats().server("app1").state(), "must pass rise checks first");
    t.advance(Duration.ofMillis(600));
    assertEquals(ServerState.UP, t.pool.stats().server("app1").state());
    assertThrows(IllegalArgumentException.class, () -> t.pool.setServerState("app1", ServerState.DOWN));
    assertThrows(IllegalArgumentException.class, () -> t.pool.setServerState("nope", ServerState.DRAIN));
  }
}
