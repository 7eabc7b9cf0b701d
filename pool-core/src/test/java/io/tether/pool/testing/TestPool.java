package io.tether.pool.testing;

import io.tether.pool.ConnectionPool;
import io.tether.pool.Lease;
import io.tether.pool.PoolConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A pool on fake time with a fake connector and a recording listener, for tests that narrate a
 * timeline. Servers default to one, "app1" on 127.0.0.29:8080.
 */
public final class TestPool {
  public final FakeTicker ticker;
  public final ManualScheduler scheduler;
  public final FakeConnector connector;
  public final RecordingListener events = new RecordingListener();
  public final ConnectionPool<FakeConnector.Conn> pool;

  public TestPool(PoolConfig.Builder config) {
    this(config, false);
  }

  public TestPool(PoolConfig.Builder config, boolean tracksActivity) {
    this(config, tracksActivity, null);
  }

  /** With health checks answered by {@code probe} (built on this pool's ticker by the caller). */
  public TestPool(PoolConfig.Builder config, FakeProbe probe) {
    this(config, false, probe);
  }

  private TestPool(PoolConfig.Builder config, boolean tracksActivity, FakeProbe probe) {
    this.ticker = probe != null ? probe.ticker() : new FakeTicker();
    this.scheduler = new ManualScheduler(ticker);
    this.connector = new FakeConnector(tracksActivity);
    PoolConfig c = config.build();
    if (c.servers().isEmpty()) {
      c = c.toBuilder().server("app1", "127.0.0.29", 8080).build();
    }
    ConnectionPool.Builder<FakeConnector.Conn> b =
        ConnectionPool.builder(connector).config(c).scheduler(scheduler).ticker(ticker).listener(events);
    if (probe != null) {
      b.healthProbe(probe);
    }
    this.pool = b.build();
  }

  /** Acquires, expecting the result at once (the fake connector connects synchronously). */
  public Lease<FakeConnector.Conn> lease() {
    try {
      return pool.acquire().get(0, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("acquire did not complete at once", e);
    }
  }

  public void advance(Duration d) {
    scheduler.advance(d);
  }
}
