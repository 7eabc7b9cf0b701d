package io.tether.netty.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.HealthCheck;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolStats;
import io.tether.pool.ServerState;
import io.tether.pool.metrics.PoolMetricsRecorder;
import io.tether.pool.metrics.micrometer.PoolMeters;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every Netty adapter must do the same way, run against each adapter's real pool over real sockets
 * (subclasses give the fixture: {@code Netty4AdapterContractTest}, {@code Netty3AdapterContractTest}):
 * affinity to the last server, an administrative state change, health checks with {@code on-marked-down
 * shutdown-sessions}, and the meters. The engine's own tests prove the rules; these prove each adapter
 * wires them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class AdapterContract {
  /** One adapter's pool, reduced to what the contract needs. */
  protected interface Fixture extends AutoCloseable {
    /** Acquires by {@code key} and returns the channel (a Netty 4 or Netty 3 {@code Channel}). */
    Object acquireByKey(Object key) throws Exception;

    /** The IP address the channel is connected to. */
    String remoteHost(Object channel);

    /** Whether the channel is still open. */
    boolean isOpen(Object channel);

    void release(Object channel);

    void setServerState(String server, ServerState state);

    PoolStats stats();

    /** The pool's own {@code toString}. */
    @Override
    String toString();

    @Override
    void close();
  }

  /** Builds the adapter's pool over {@code config}, reporting to {@code metrics}. */
  protected abstract Fixture start(PoolConfig config, PoolMetricsRecorder metrics) throws Exception;

  private TestHttpServer app1;
  private TestHttpServer app2;
  private Fixture pool;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Map<String, String> serverByHost = new HashMap<>();

  @BeforeEach
  void backends() throws Exception {
    app1 = TestHttpServer.plain("app1", Loopback.APP1);
    app2 = TestHttpServer.plain("app2", Loopback.APP2);
    serverByHost.put(Loopback.APP1, "app1");
    serverByHost.put(Loopback.APP2, "app2");
  }

  @AfterEach
  void stop() {
    if (pool != null) {
      pool.close();
    }
    app1.close();
    app2.close();
  }

  private Fixture pool(PoolConfig.Builder config) throws Exception {
    pool = start(config.name("contract").server("app1", Loopback.APP1, app1.port())
        .server("app2", Loopback.APP2, app2.port()).lbIdleTimeout(Duration.ofMinutes(1)).build(),
        new PoolMeters(registry));
    return pool;
  }

  /** The server a key's channel goes to; the channel is released. */
  private String serverFor(Object key) throws Exception {
    Object ch = pool.acquireByKey(key);
    try {
      return serverByHost.get(pool.remoteHost(ch));
    } finally {
      pool.release(ch);
    }
  }

  private static String other(String server) {
    return server.equals("app1") ? "app2" : "app1";
  }

  @Test
  void aKeyStaysOnItsLastServerAndMovesOnlyWhenThatServerLeavesTheRotation() throws Exception {
    pool(PoolConfig.builder());
    assertTrue(pool.toString().contains("pool=contract"), "a pool says what it holds: " + pool);
    String first = serverFor("session-1");
    for (int i = 0; i < 5; i++) {
      assertEquals(first, serverFor("session-1"), "prefer-last-server: the key stays");
    }
    pool.setServerState(first, ServerState.MAINT);
    Await.until(Duration.ofSeconds(5), () -> pool.stats().server(first).total() == 0,
        () -> "maintenance closes the server's connections: " + pool.stats());
    String moved = serverFor("session-1");
    assertEquals(other(first), moved, "the key moved off the server in maintenance");
    pool.setServerState(first, ServerState.UP);
    assertEquals(ServerState.UP, pool.stats().server(first).state());
    assertEquals(moved, serverFor("session-1"), "back up, the server does not take the key back: it stays on its last");
  }

  @Test
  void aDeadServerIsMarkedDownByChecksAndItsSessionsAreShutDown() throws Exception {
    pool(PoolConfig.builder().healthCheck(HealthCheck.builder().enabled(true).inter(Duration.ofMillis(100))
        .fall(1).rise(1).build()));
    Await.until(Duration.ofSeconds(5), () -> pool.stats().server("app1").state() == ServerState.UP
        && pool.stats().server("app2").state() == ServerState.UP, () -> String.valueOf(pool.stats()));
    // A leased channel to the server that is about to die, held through its death.
    Object held = null;
    for (int i = 0; held == null && i < 100; i++) {
      Object ch = pool.acquireByKey("k" + i);
      if (pool.remoteHost(ch).equals(Loopback.APP1)) {
        held = ch;
      } else {
        pool.release(ch);
      }
    }
    assertTrue(held != null, "no key went to app1");
    app1.close();
    Await.until(Duration.ofSeconds(5), () -> pool.stats().server("app1").state() == ServerState.DOWN,
        () -> "checks did not mark app1 down: " + pool.stats());
    Object leased = held;
    Await.until(Duration.ofSeconds(5), () -> !pool.isOpen(leased),
        () -> "on-marked-down shutdown-sessions left the leased channel open");
    pool.release(held);
    for (int i = 0; i < 10; i++) {
      assertEquals("app2", serverFor("after-" + i), "new sessions avoid the server that is down");
    }
  }

  @Test
  void theMetersCountWhatThePoolDid() throws Exception {
    pool(PoolConfig.builder());
    // Two channels at once, by new keys, until both servers had one: least connections spreads them.
    java.util.Set<String> servers = new java.util.TreeSet<>();
    for (int i = 0; servers.size() < 2 && i < 100; i++) {
      Object ch1 = pool.acquireByKey("x" + i);
      Object ch2 = pool.acquireByKey("y" + i);
      servers.add(serverByHost.get(pool.remoteHost(ch1)));
      servers.add(serverByHost.get(pool.remoteHost(ch2)));
      pool.release(ch1);
      pool.release(ch2);
    }
    assertEquals(java.util.Set.of("app1", "app2"), servers, "least connections never opened a connection to each server");
    // Netty 4 releases on the channel's event loop: wait until every release has landed.
    Await.until(Duration.ofSeconds(5), () -> pool.stats().leased() == 0, () -> String.valueOf(pool.stats()));
    double opened = registry.get("tether.pool.connections.opened").counters().stream()
        .mapToDouble(c -> c.count()).sum();
    PoolStats stats = pool.stats();
    assertEquals(stats.total(), (int) opened, "every connection opened was counted once: " + stats);
    assertEquals(stats.idle(), registry.get("tether.pool.connections").tag("state", "idle").gauge().value(), 0.0);
    for (String server : servers) {
      assertTrue(registry.get("tether.pool.connections.opened").tag("server", server).counter().count() >= 1,
          "opened connections carry their server's name");
    }
    int onApp1 = pool.stats().server("app1").total();
    pool.setServerState("app1", ServerState.MAINT);
    Await.until(Duration.ofSeconds(5), () -> pool.stats().server("app1").total() == 0, () -> String.valueOf(pool.stats()));
    assertEquals(onApp1, registry.get("tether.pool.connections.closed").tags("server", "app1", "cause", "endpoint-down")
        .counter().count(), 0.0, "maintenance closed, and counted, each of app1's connections");
    pool.close();
    assertTrue(registry.find("tether.pool.connections").meters().isEmpty()
        && registry.find("tether.pool.connections.opened").meters().isEmpty(), "a closed pool removes its meters");
    pool = null;
  }
}
