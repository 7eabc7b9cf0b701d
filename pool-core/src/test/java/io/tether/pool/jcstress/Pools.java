package io.tether.pool.jcstress;

import io.tether.pool.ConnectionPool;
import io.tether.pool.Lease;
import io.tether.pool.PoolConfig;
import io.tether.pool.spi.LogSink;
import io.tether.pool.testing.FakeConnector;
import io.tether.pool.testing.FakeTicker;
import io.tether.pool.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Small pools for the jcstress tests: fake time (so a test says exactly which deadlines have passed), a
 * fake connector that connects at once, and no logging (a stale release is reported as misuse, and
 * jcstress runs each test millions of times).
 */
final class Pools {
  /** Idle connections are evicted 9 s after their last use (10 s balancer timeout, no jitter). */
  static final Duration EVICT_AFTER = Duration.ofSeconds(9);

  final FakeTicker ticker = new FakeTicker();
  final FakeConnector connector = new FakeConnector(false);
  final ConnectionPool<FakeConnector.Conn> pool;

  Pools(int maxConnections) {
    PoolConfig config = PoolConfig.builder()
        .server("app1", "127.0.0.29", 8080)
        .maxConnections(maxConnections)
        .eviction(io.tether.pool.Eviction.builder().lbIdleTimeout(Duration.ofSeconds(10)).jitter(0).build())
        .build();
    this.pool = ConnectionPool.builder(connector).config(config).scheduler(new ManualScheduler(ticker))
        .ticker(ticker).log(LogSink.NONE).build();
  }

  /** A pool holding {@code n} idle connections, each opened and released once. */
  static Pools withIdle(int n) {
    Pools p = new Pools(n);
    List<Lease<FakeConnector.Conn>> leases = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      leases.add(p.pool.acquire().join());
    }
    leases.forEach(Lease::release);
    return p;
  }

  /** The connection's id (the fake connector counts from 1), or 0 for no lease. */
  static int id(Lease<FakeConnector.Conn> lease) {
    return lease == null ? 0 : lease.connection().id;
  }
}
