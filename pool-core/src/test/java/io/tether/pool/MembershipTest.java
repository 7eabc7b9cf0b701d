package io.tether.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.TestPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Servers that come and go on a live pool, on a fake clock: added servers take connections at once,
 * removed ones drain (idle closed now, leased when released, keyed sessions moved) and leave when their
 * last connection is gone, weights steer new connections, slow start ramps a new server up.
 */
class MembershipTest {
  private static final Endpoint APP1 = Endpoint.of("app1", "127.0.0.29", 8080);
  private static final Endpoint APP2 = Endpoint.of("app2", "127.0.0.38", 8080);
  private static final Endpoint APP3 = Endpoint.of("app3", "127.0.0.39", 8080);

  private static TestPool pool(Endpoint... servers) {
    PoolConfig.Builder b = PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)).maxConnections(100);
    for (Endpoint e : servers) {
      b.server(e);
    }
    return new TestPool(b);
  }

  private static Map<String, Integer> openByServer(TestPool t) {
    Map<String, Integer> out = new HashMap<>();
    for (PoolStats.Server s : t.pool.stats().servers()) {
      out.put(s.name(), s.total());
    }
    return out;
  }

  private static List<String> names(TestPool t) {
    return t.pool.stats().servers().stream().map(PoolStats.Server::name).sorted().toList();
  }

  @Test
  void anAddedServerTakesNewConnectionsAtOnce() {
    TestPool t = pool(APP1);
    List<Lease<Conn>> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      held.add(t.lease());
    }
    t.pool.addServer(APP2);
    for (int i = 0; i < 4; i++) {
      held.add(t.lease());
    }
    assertEquals(Map.of("app1", 4, "app2", 4), openByServer(t), "leastconn fills the new server first");
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> t.pool.addServer(APP2));
    assertTrue(twice.getMessage().contains("already in the pool"), twice.getMessage());
  }

  @Test
  void aRemovedServerDrainsAndLeavesWithItsLastConnection() throws Exception {
    TestPool t = pool(APP1, APP2);
    List<Lease<Conn>> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      held.add(t.lease());
    }
    Lease<Conn> leasedOnApp2 = held.stream().filter(l -> l.connection().endpoint.name().equals("app2")).findFirst()
        .orElseThrow();
    Lease<Conn> idleOnApp2 = held.stream().filter(l -> l.connection().endpoint.name().equals("app2"))
        .filter(l -> l != leasedOnApp2).findFirst().orElseThrow();
    idleOnApp2.release();

    CompletableFuture<Void> gone = t.pool.removeServer("app2");
    assertEquals(CloseCause.ENDPOINT_DOWN, idleOnApp2.connection().closedWith, "its idle connection closes now");
    assertNull(leasedOnApp2.connection().closedWith, "its leased connection is not cut");
    assertFalse(gone.isDone(), "a connection is still leased");
    for (int i = 0; i < 6; i++) {
      assertEquals("app1", t.lease().connection().endpoint.name(), "no new connection goes to a removed server");
    }
    assertEquals(ServerState.DRAIN, t.pool.stats().server("app2").state());

    leasedOnApp2.release();
    assertEquals(CloseCause.ENDPOINT_DOWN, leasedOnApp2.connection().closedWith, "closed when released");
    assertTrue(gone.isDone(), "the removal completes with the last connection");
    assertFalse(names(t).contains("app2"), "and the server left the pool");
    assertThrows(IllegalArgumentException.class, () -> t.pool.setServerState("app2", ServerState.UP));
    t.pool.addServer(APP2); // its name is free again
    assertEquals(ServerState.UP, t.pool.stats().server("app2").state());
  }

  @Test
  void aServerWithNoConnectionLeavesAtOnceAndOneWithAConnectInFlightWhenItEnds() {
    TestPool t = pool(APP1, APP2);
    assertTrue(t.pool.removeServer("app2").isDone());
    assertFalse(names(t).contains("app2"));

    t.pool.addServer(APP3);
    t.connector.manualConnects = true;
    CompletableFuture<Lease<Conn>> a = t.pool.acquire(APP3);
    CompletableFuture<Void> gone = t.pool.removeServer("app3");
    assertFalse(gone.isDone(), "its connect is under way");
    t.connector.completePending(1, e -> false);
    assertTrue(gone.isDone(), "the connect ended: nothing of app3 is left");
    ExecutionException e = assertThrows(ExecutionException.class, () -> a.get());
    assertInstanceOf(EndpointDownException.class, e.getCause(), "an acquire bound to the removed server fails");
  }

  @Test
  void keyedSessionsOfARemovedServerMoveToTheirNextServer() {
    TestPool t = pool(APP1, APP2);
    Map<String, String> pinned = new HashMap<>();
    for (int i = 0; i < 8; i++) {
      Lease<Conn> l = t.pool.acquireByKey("user" + i).join();
      pinned.put("user" + i, l.connection().endpoint.name());
      l.release();
    }
    assertTrue(pinned.containsValue("app2"));
    t.pool.removeServer("app2");
    for (int i = 0; i < 8; i++) {
      Lease<Conn> l = t.pool.acquireByKey("user" + i).join();
      assertEquals("app1", l.connection().endpoint.name(), "user" + i);
      l.release();
    }
  }

  @Test
  void weightsSteerNewConnections() {
    TestPool t = pool(APP1, APP2);
    t.pool.setServerWeight("app2", 3);
    List<Lease<Conn>> held = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      held.add(t.lease());
    }
    assertEquals(Map.of("app1", 10, "app2", 30), openByServer(t), "leastconn by connections per weight");
    t.pool.setServerWeight("app1", 0);
    for (int i = 0; i < 10; i++) {
      assertEquals("app2", t.lease().connection().endpoint.name(), "weight 0: out of the rotation");
    }
    assertEquals(10, t.pool.stats().server("app1").leased(), "but not drained");
    assertThrows(IllegalArgumentException.class, () -> t.pool.setServerWeight("app1", 257));
    assertThrows(IllegalArgumentException.class, () -> t.pool.setServerWeight("nope", 1));
  }

  @Test
  void slowStartRampsAnAddedServersShareOfNewConnections() {
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)).maxConnections(1000)
        .slowStart(Duration.ofSeconds(10)).server(APP1.withWeight(100)));
    t.pool.addServer(APP2.withWeight(100));
    t.advance(Duration.ofSeconds(1)); // app2 at 10% of its weight
    for (int i = 0; i < 110; i++) {
      t.lease();
    }
    int early = openByServer(t).get("app2");
    assertTrue(early >= 8 && early <= 12, "at 1s of 10s app2 gets about 10 of 110: " + early);
    t.advance(Duration.ofSeconds(9)); // the ramp is over
    for (int i = 0; i < 200; i++) {
      t.lease();
    }
    Map<String, Integer> open = openByServer(t);
    assertEquals(open.get("app1"), open.get("app2"), "full weight: connections even out " + open);
  }

  @Test
  void updateServersAppliesTheDifference() {
    TestPool t = pool(APP1, APP2);
    MembershipChange c = t.pool.updateServers(List.of(APP2.withWeight(5), APP3));
    assertEquals(List.of("app3"), c.added());
    assertEquals(List.of("app1"), c.removed());
    assertEquals(List.of("app2"), c.reweighted());
    assertEquals(List.of("app2", "app3"), names(t));
    assertTrue(t.pool.updateServers(List.of(APP2.withWeight(5), APP3)).isEmpty(), "the same set again changes nothing");

    IllegalArgumentException moved = assertThrows(IllegalArgumentException.class,
        () -> t.pool.updateServers(List.of(Endpoint.of("app3", "127.0.0.40", 8080))));
    assertTrue(moved.getMessage().contains("give the new address a new name"), moved.getMessage());
    assertThrows(IllegalArgumentException.class, () -> t.pool.updateServers(List.of(APP3, APP3)));
    assertEquals(List.of("app2", "app3"), names(t), "a refused update changes nothing");
  }

  /** Weights changed through updateServers take effect in the rotation for the next connections. */
  @Test
  void reweightingThroughUpdateServersTakesEffectAtOnce() {
    for (Balance balance : Balance.values()) {
      TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)).maxConnections(100)
          .balance(balance).server(APP1).server(APP2));
      t.pool.updateServers(List.of(APP1.withWeight(1), APP2.withWeight(3)));
      List<Lease<Conn>> held = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        held.add(t.lease());
      }
      assertEquals(Map.of("app1", 2, "app2", 6), openByServer(t), balance + ": 1:3 by the new weights");
      held.forEach(Lease::release);
    }
  }

  /** Backups listed first in an update still wait behind the active servers; the change lists are sorted. */
  @Test
  void anUpdateKeepsBackupsBehindActiveServersWhateverTheOrder() {
    TestPool t = pool(APP1);
    MembershipChange c = t.pool.updateServers(List.of(APP3.withPriority(1), APP2.withPriority(1), APP1));
    assertEquals(List.of("app2", "app3"), c.added(), "sorted by name, whatever the order given");
    for (int i = 0; i < 4; i++) {
      assertEquals("app1", t.lease().connection().endpoint.name(), "the active server while it is up");
    }
    t.pool.setServerState("app1", ServerState.MAINT);
    String backup = t.lease().connection().endpoint.name();
    assertTrue(backup.equals("app2") || backup.equals("app3"), "then a backup: " + backup);
    MembershipChange gone = t.pool.updateServers(List.of(APP1));
    assertEquals(List.of("app2", "app3"), gone.removed());
  }

  @Test
  void eventsAndStatsFollowTheChanges() {
    TestPool t = pool(APP1);
    t.pool.addServer(APP2);
    t.pool.removeServer("app2");
    assertEquals(List.of("state app2 UP->DRAIN", "state app2 DRAIN->MAINT"), t.events.matching("state app2"));
    assertEquals(List.of("added app2"), t.events.matching("added"), "runtime joins only, not app1");
    assertEquals(List.of("removed app2"), t.events.matching("removed"));
    t.pool.updateServers(List.of(APP1, APP3));
    assertEquals(List.of("added app2", "added app3"), t.events.matching("added"), "batched joins report too");
    assertThrows(PoolClosedException.class, () -> {
      t.pool.close();
      t.pool.addServer(APP3);
    });
  }

  /** Removing the active servers lets the backup in at once, and acquires that waited for room get it. */
  @Test
  void anAcquireWaitingForRoomIsServedByTheBackupThatTheRemovalLetsIn() {
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)).maxConnections(100)
        .maxConnectionsPerServer(1).server(APP1).server(APP2.withPriority(1)));
    Lease<Conn> held = t.lease();
    assertEquals("app1", held.endpoint().name());
    CompletableFuture<Lease<Conn>> waiting = t.pool.acquire();
    assertFalse(waiting.isDone(), "app1 is full and the backup is not in the rotation");
    t.pool.updateServers(List.of(APP2.withPriority(1)));
    assertTrue(waiting.isDone(), "served when the backup entered the rotation, not at its timeout");
    assertEquals("app2", waiting.join().endpoint().name());
    held.release();
  }

  /** A weight raised from 0 puts a server back in the rotation, and a waiting acquire gets it. */
  @Test
  void anAcquireWaitingForRoomIsServedByAServerWhoseWeightRisesFromZero() {
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)).maxConnections(100)
        .maxConnectionsPerServer(1).server(APP1).server(APP2.withWeight(0)));
    Lease<Conn> held = t.lease();
    CompletableFuture<Lease<Conn>> waiting = t.pool.acquire();
    assertFalse(waiting.isDone(), "app1 is full and app2 has weight 0");
    t.pool.setServerWeight("app2", 1);
    assertTrue(waiting.isDone(), "served when app2 entered the rotation");
    assertEquals("app2", waiting.join().endpoint().name());
    held.release();
  }

  @Test
  void runtimeChangesRefuseWhatCannotBeDoneNamingTheServer() {
    TestPool t = new TestPool(PoolConfig.builder().name("orders").lbIdleTimeout(Duration.ofMinutes(10)).server(APP1)
        .server(APP2));
    Lease<Conn> onApp2 = t.pool.acquire(t.pool.config().servers().get(1)).join();
    CompletableFuture<Void> leaving = t.pool.removeServer("app2");
    assertSame(leaving, t.pool.removeServer("app2"), "a second removal is the same removal");
    IllegalArgumentException back = assertThrows(IllegalArgumentException.class, () -> t.pool.addServer(APP2));
    assertEquals("pool orders: a server named app2 is still leaving the pool", back.getMessage());
    IllegalArgumentException update = assertThrows(IllegalArgumentException.class,
        () -> t.pool.updateServers(List.of(APP1, APP2)));
    assertEquals("server app2 is still leaving the pool", update.getMessage());
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> t.pool.removeServer("app9"));
    assertEquals("pool orders has no server named app9", unknown.getMessage());
    assertEquals("weight 257 (expected: 0-256)",
        assertThrows(IllegalArgumentException.class, () -> t.pool.setServerWeight("app1", 257)).getMessage());
    assertEquals("weight -1 (expected: 0-256)",
        assertThrows(IllegalArgumentException.class, () -> t.pool.setServerWeight("app1", -1)).getMessage());
    t.pool.setServerWeight("app1", 256);
    t.pool.setServerWeight("app1", 0);
    assertThrows(IllegalArgumentException.class, () -> t.pool.setServerWeight("app9", 1));
    onApp2.release();
    assertTrue(leaving.isDone());
  }

  @Test
  void anAddedServerIsCheckedAndWarmedUpLikeTheFirstOnes() {
    io.tether.pool.testing.FakeProbe probe = new io.tether.pool.testing.FakeProbe(new io.tether.pool.testing.FakeTicker());
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)).maxConnections(100)
        .minIdle(2).server(APP1).healthCheck(HealthCheck.builder().enabled(true).inter(Duration.ofSeconds(2)).build()),
        probe);
    t.advance(Duration.ofSeconds(1));
    assertEquals(2, t.pool.stats().server("app1").idle());
    t.pool.addServer(APP2);
    t.advance(Duration.ofSeconds(3));
    assertEquals(2, t.pool.stats().server("app2").idle(), "min-idle for the new server too");
    assertTrue(probe.times("app2").size() >= 1, "and its checks started: " + probe.log);
  }

  /**
   * A pool with no server at all (a discovery's first answer not in yet, or the last server gone) has
   * nothing to fail over to and nothing down: an acquire waits for a server, up to acquire-timeout,
   * keyed or not, and is served by the first that joins. A pool whose servers are all down still fails
   * at once.
   */
  @Test
  void anAcquireOnAPoolWithNoServerYetWaitsForTheFirstOne() throws Exception {
    TestPool t = TestPool.dynamic(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10))
        .acquireTimeout(Duration.ofSeconds(5)));
    List<CompletableFuture<Lease<Conn>>> waiting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      waiting.add(t.pool.acquire());
    }
    CompletableFuture<Lease<Conn>> keyed = t.pool.acquireByKey("session-1");
    t.advance(Duration.ofSeconds(4));
    assertTrue(waiting.stream().noneMatch(CompletableFuture::isDone), "still waiting at 4 s");
    assertFalse(keyed.isDone());
    t.pool.addServer(APP1);
    List<Lease<Conn>> served = new ArrayList<>();
    for (CompletableFuture<Lease<Conn>> f : waiting) {
      served.add(f.get(0, TimeUnit.SECONDS));
      assertEquals("app1", served.get(served.size() - 1).endpoint().name());
    }
    Lease<Conn> k = keyed.get(0, TimeUnit.SECONDS);
    assertEquals("app1", k.endpoint().name());
    Conn keysConnection = k.connection();
    k.release();
    served.forEach(Lease::release); // released after the key's: most recently used first would pick them
    t.pool.addServer(APP2);
    Lease<Conn> again = t.pool.acquireByKey("session-1").get(0, TimeUnit.SECONDS);
    assertEquals("app1", again.endpoint().name(), "the key was pinned where it was served");
    assertSame(keysConnection, again.connection(), "and to the connection that served it");
  }

  @Test
  void anAcquireWaitingForAFirstServerTimesOutAtAcquireTimeout() {
    TestPool t = TestPool.dynamic(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10))
        .acquireTimeout(Duration.ofSeconds(5)));
    CompletableFuture<Lease<Conn>> f = t.pool.acquire();
    t.advance(Duration.ofMillis(4999));
    assertFalse(f.isDone());
    t.advance(Duration.ofMillis(1));
    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    AcquireTimeoutException timeout = assertInstanceOf(AcquireTimeoutException.class, e.getCause());
    assertEquals(0, timeout.limit(), "no server, no capacity: " + timeout.getMessage());
  }

  @Test
  void aPoolWhoseServersAreAllDownStillFailsAtOnce() {
    TestPool t = pool(APP1);
    t.pool.setServerState("app1", ServerState.MAINT);
    CompletableFuture<Lease<Conn>> f = t.pool.acquire();
    assertTrue(f.isDone(), "nothing to wait for: the servers are there, and down");
    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    assertInstanceOf(EndpointDownException.class, e.getCause());
  }
}
