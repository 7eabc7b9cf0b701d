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

/**
 * Which servers take new connections, as HAProxy decides it: up, a weight above 0, and of the active
 * priority; backup servers only while no active server is up, the first backup before the second
 * (unless they share a priority, as with {@code option allbackups}).
 */
class RotationTest {
  private static final HealthCheck FALL_1 =
      HealthCheck.builder().enabled(true).inter(Duration.ofMillis(100)).fall(1).rise(1).build();

  private static PoolConfig.Builder servers(Endpoint... endpoints) {
    return PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)).servers(List.of(endpoints)).healthCheck(FALL_1);
  }

  private static List<String> leaseServers(TestPool t, int n) {
    List<Lease<Conn>> held = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      held.add(t.pool.acquire().join());
    }
    List<String> names = new ArrayList<>();
    held.forEach(l -> names.add(l.endpoint().name()));
    held.forEach(Lease::release);
    return names;
  }

  @Test
  void backupsTakeOverOneTierAtATimeOnlyWhenEveryActiveServerIsDown() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(servers(Endpoint.of("a", "127.0.0.1", 80), Endpoint.of("b1", "127.0.0.2", 80).withPriority(1),
        Endpoint.of("b2", "127.0.0.3", 80).withPriority(2)), probe);
    assertEquals(List.of("a", "a", "a"), leaseServers(t, 3), "backups idle while the active server is up");
    probe.set("a", Answer.FAIL);
    t.advance(Duration.ofMillis(200));
    assertEquals(List.of("b1", "b1"), leaseServers(t, 2), "the first backup takes over");
    probe.set("b1", Answer.FAIL);
    t.advance(Duration.ofMillis(200));
    assertEquals(List.of("b2"), leaseServers(t, 1), "then the second");
    probe.set("a", Answer.PASS);
    t.advance(Duration.ofMillis(200));
    assertEquals(List.of("a", "a"), leaseServers(t, 2), "the active server is back: backups leave the rotation");
  }

  @Test
  void weightZeroTakesNoNewConnections() {
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10))
        .servers(List.of(Endpoint.of("zero", "127.0.0.1", 80).withWeight(0), Endpoint.of("one", "127.0.0.2", 80))));
    assertEquals(List.of("one", "one", "one", "one"), leaseServers(t, 4));
    Lease<Conn> keyed = t.pool.acquire(t.pool.config().servers().get(0)).join();
    assertEquals("zero", keyed.endpoint().name(), "asked for by name, it still serves (HAProxy's persistence)");
  }

  @Test
  void onlyWeightZeroServersUpMeansNoServerForNewWork() {
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10))
        .servers(List.of(Endpoint.of("zero", "127.0.0.1", 80).withWeight(0))));
    Throwable e = t.pool.acquire().handle((l, x) -> x).join();
    assertTrue(e instanceof EndpointDownException, String.valueOf(e));
  }

  @Test
  void aDisabledServerStartsInMaintenance() {
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10))
        .servers(List.of(Endpoint.of("off", "127.0.0.1", 80).withDisabled(true), Endpoint.of("on", "127.0.0.2", 80))));
    assertEquals(ServerState.MAINT, t.pool.stats().server("off").state());
    assertEquals(List.of("on", "on"), leaseServers(t, 2));
    t.pool.setServerState("off", ServerState.UP);
    assertEquals(ServerState.UP, t.pool.stats().server("off").state());
  }

  @Test
  void anUncheckedServerIsNeverMarkedDown() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    probe.set("free", Answer.FAIL);
    TestPool t = new TestPool(servers(Endpoint.of("free", "127.0.0.1", 80).withChecked(false),
        Endpoint.of("checked", "127.0.0.2", 80)), probe);
    t.advance(Duration.ofSeconds(1));
    assertEquals(ServerState.UP, t.pool.stats().server("free").state());
    assertTrue(probe.times("free").isEmpty(), "no check is ever sent to it");
    assertTrue(probe.times("checked").size() >= 5, "the other is checked all along: " + probe.times("checked"));
  }

  @Test
  void onMarkedUpShutsDownBackupSessions() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(servers(Endpoint.of("a", "127.0.0.1", 80), Endpoint.of("b", "127.0.0.2", 80).withPriority(1))
        .onMarkedUp(OnMarkedUp.SHUTDOWN_BACKUP_SESSIONS), probe);
    probe.set("a", Answer.FAIL);
    t.advance(Duration.ofMillis(200));
    Lease<Conn> onBackup = t.pool.acquire().join();
    Lease<Conn> idleOnBackup = t.pool.acquire().join();
    assertEquals("b", onBackup.endpoint().name());
    idleOnBackup.release();
    probe.set("a", Answer.PASS);
    t.advance(Duration.ofMillis(200));
    assertEquals(CloseCause.ENDPOINT_DOWN, onBackup.connection().closedWith, "the session on the backup is shut down");
    assertEquals(CloseCause.ENDPOINT_DOWN, idleOnBackup.connection().closedWith, "and its idle connection");
  }

  @Test
  void withoutOnMarkedUpBackupSessionsStay() {
    FakeProbe probe = new FakeProbe(new FakeTicker());
    TestPool t = new TestPool(servers(Endpoint.of("a", "127.0.0.1", 80), Endpoint.of("b", "127.0.0.2", 80).withPriority(1)),
        probe);
    probe.set("a", Answer.FAIL);
    t.advance(Duration.ofMillis(200));
    Lease<Conn> onBackup = t.pool.acquire().join();
    probe.set("a", Answer.PASS);
    t.advance(Duration.ofMillis(200));
    assertNull(onBackup.connection().closedWith);
  }
}
