package io.tether.pool.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tether.pool.ConnectionPool;
import io.tether.pool.Lease;
import io.tether.pool.PoolConfig;
import io.tether.pool.Eviction;
import io.tether.pool.ServerState;
import io.tether.pool.metrics.micrometer.PoolMeters;
import io.tether.pool.testing.FakeConnector;
import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.FakeTicker;
import io.tether.pool.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A pool's life on a fake clock, read back from a SimpleMeterRegistry with exact values. */
class PoolMetersScenarioTest {
  private final FakeTicker ticker = new FakeTicker();
  private final ManualScheduler scheduler = new ManualScheduler(ticker);
  private final FakeConnector connector = new FakeConnector();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private ConnectionPool<Conn> pool(PoolConfig.Builder b) {
    return ConnectionPool.builder(connector)
        .config(b.name("orders").server("app1", "127.0.0.29", 8080).server("app2", "127.0.0.38", 8080)
            .lbIdleTimeout(Duration.ofMinutes(10)).eviction(Eviction.builder().jitter(0).build()).build())
        .scheduler(scheduler).ticker(ticker).metrics(new PoolMeters(registry)).build();
  }

  private double counter(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  private double gauge(String name, String... tags) {
    return registry.get(name).tags(tags).gauge().value();
  }

  @Test
  void threeEvictionsCountThreeClosesAsIdleEvicted() {
    ConnectionPool<Conn> pool = pool(PoolConfig.builder().maxConnectionsPerServer(8));
    List<Lease<Conn>> leases = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      leases.add(pool.acquire(pool.config().servers().get(0)).join());
    }
    assertEquals(3, gauge("tether.pool.connections", "pool", "orders", "state", "leased"));
    assertEquals(3, gauge("tether.pool.server.connections", "server", "app1", "state", "leased"));
    assertEquals(0, gauge("tether.pool.server.connections", "server", "app2", "state", "leased"));
    assertEquals(3, counter("tether.pool.connections.opened", "server", "app1"));
    assertEquals(3, registry.get("tether.pool.connect").tags("server", "app1", "outcome", "success").timer().count());
    leases.forEach(Lease::release);
    assertEquals(3, gauge("tether.pool.connections", "state", "idle"));

    // at 9m (0.9 of 10m, less the 500ms margin) all three are evicted
    scheduler.advance(Duration.ofMinutes(9));
    assertEquals(3, counter("tether.pool.connections.closed", "server", "app1", "cause", "idle-evicted"));
    assertEquals(0, counter("tether.pool.connections.closed", "server", "app1", "cause", "peer-reset"));
    assertEquals(0, gauge("tether.pool.connections", "state", "idle"));
    assertEquals(3, registry.get("tether.pool.connection.age").tags("cause", "idle-evicted").timer().count());
    assertEquals(Duration.ofMinutes(9).minusMillis(500).toMillis(),
        registry.get("tether.pool.connection.age").tags("cause", "idle-evicted").timer().max(TimeUnit.MILLISECONDS), 1);
  }

  @Test
  void acquireWaitsIdleAgesTimeoutsAndRejections() {
    ConnectionPool<Conn> pool = pool(PoolConfig.builder().maxConnections(1).maxPendingAcquires(1)
        .acquireTimeout(Duration.ofSeconds(2)));
    Lease<Conn> a = pool.acquire().join();
    a.release();
    ticker.advance(Duration.ofSeconds(30));
    Lease<Conn> again = pool.acquire().join(); // idle 30s
    assertEquals(30_000, registry.get("tether.pool.idle.age").timer().max(TimeUnit.MILLISECONDS), 1);
    CompletableFuture<Lease<Conn>> waiting = pool.acquire();
    pool.acquire(); // rejected: one already waits
    assertEquals(1, counter("tether.pool.acquire.rejected", "pool", "orders"));
    assertEquals(1, gauge("tether.pool.pending", "pool", "orders"));
    scheduler.advance(Duration.ofSeconds(2));
    assertTrue(waiting.isCompletedExceptionally());
    assertEquals(1, counter("tether.pool.acquire.timeouts", "pool", "orders"));
    assertEquals(1, gauge("tether.pool.max.connections"));
    assertEquals(1, gauge("tether.pool.max.pending"));
    ticker.advance(Duration.ofMillis(250));
    again.release();
    CompletableFuture<Lease<Conn>> served = pool.acquire();
    assertTrue(served.isDone());
    assertEquals(3, registry.get("tether.pool.acquire").timer().count(), "three leases handed out");
  }

  @Test
  void resetsAreCountedByPhase() {
    ConnectionPool<Conn> pool = pool(PoolConfig.builder());
    Lease<Conn> idle = pool.acquire().join();
    Lease<Conn> inFlight = pool.acquire().join();
    idle.release();
    idle.connection().signals.closedByPeer(true);
    inFlight.connection().signals.closedByPeer(true);
    String s1 = idle.endpoint().name();
    String s2 = inFlight.endpoint().name();
    assertEquals(1, counter("tether.pool.resets", "server", s1, "phase", "idle"));
    assertEquals(1, counter("tether.pool.resets", "server", s2, "phase", "in-flight"));
    assertEquals(1, counter("tether.pool.connections.closed", "server", s1, "cause", "peer-reset"));
  }

  @Test
  void serverStateGaugeAndTransitions() {
    ConnectionPool<Conn> pool = pool(PoolConfig.builder());
    assertEquals(1, gauge("tether.pool.server.up", "server", "app1"));
    pool.setServerState("app1", ServerState.DRAIN);
    assertEquals(0, gauge("tether.pool.server.up", "server", "app1"));
    assertEquals(1, counter("tether.pool.server.transitions", "server", "app1", "to", "drain"));
    pool.setServerState("app1", ServerState.UP);
    assertEquals(1, gauge("tether.pool.server.up", "server", "app1"));
    assertEquals(1, counter("tether.pool.server.transitions", "server", "app1", "to", "up"));
  }

  @Test
  void metersAreRemovedWhenThePoolCloses() {
    ConnectionPool<Conn> pool = pool(PoolConfig.builder());
    pool.acquire().join().release();
    assertTrue(registry.getMeters().size() > 20);
    pool.close();
    assertEquals(List.of(), registry.getMeters());
  }

  @Test
  void everyRegisteredMeterIsInTheEnumAndNoTagIsAPort() {
    ConnectionPool<Conn> pool = pool(PoolConfig.builder());
    Set<String> known = new HashSet<>();
    for (MeterName n : MeterName.values()) {
      known.add(n.meterName());
    }
    for (Meter m : registry.getMeters()) {
      // A timer's SLO buckets appear as a derived "<name>.histogram" meter tagged "le".
      boolean derived = m.getId().getName().endsWith(".histogram");
      String name = derived ? m.getId().getName().replace(".histogram", "") : m.getId().getName();
      assertTrue(known.contains(name), name + " is not in MeterName");
      MeterName n = java.util.Arrays.stream(MeterName.values()).filter(x -> x.meterName().equals(name)).findFirst().get();
      List<String> keys = m.getId().getTags().stream().map(t -> t.getKey()).filter(k -> !(derived && k.equals("le"))).toList();
      assertEquals(new HashSet<>(n.tags()), new HashSet<>(keys), name + " tags");
      m.getId().getTags().forEach(t -> assertTrue(!t.getValue().contains("8080"), name + " leaks a port: " + t));
    }
    pool.close();
  }
}
