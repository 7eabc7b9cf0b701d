package io.tether.bench.jmh;

import io.tether.pool.ConnectionPool;
import io.tether.pool.Lease;
import io.tether.pool.PoolConfig;
import io.tether.pool.spi.Scheduler;
import io.tether.pool.testing.FakeConnector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Tether's engine with no transport: what the pool itself costs. {@code tryAcquire} is the path every
 * adapter takes first; {@code acquire().join()} is the future-returning API.
 */
final class TetherCoreContender implements Contender {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final ConnectionPool<FakeConnector.Conn> pool;
  private final boolean future;

  TetherCoreContender(int connections, boolean future) {
    this.future = future;
    // Idle deadlines far away: the benchmark measures hand-outs, not eviction. The connector reports
    // activity, as both Netty adapters do, so a release reads no clock.
    PoolConfig config =
        PoolConfig.builder().server("app", "127.0.0.1", 1).maxConnections(connections)
            .lbIdleTimeout(Duration.ofHours(1)).build();
    this.pool = ConnectionPool.builder(new FakeConnector(true)).config(config).scheduler(Scheduler.of(timer)).build();
    warm(pool, connections);
  }

  static <C> void warm(ConnectionPool<C> pool, int connections) {
    List<Lease<C>> leases = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      leases.add(pool.acquire().join());
    }
    leases.forEach(Lease::release);
  }

  @Override
  public void cycle(int lane) {
    Lease<FakeConnector.Conn> lease = future ? pool.acquire().join() : pool.tryAcquire();
    if (lease == null) {
      throw new IllegalStateException("no idle connection: " + pool.stats());
    }
    lease.release();
  }

  @Override
  public void close() {
    pool.close();
    timer.shutdownNow();
  }
}
