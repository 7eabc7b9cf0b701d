package io.tether.pool.testing;

import io.tether.pool.ConnectionPool;
import io.tether.pool.Lease;
import io.tether.pool.PoolConfig;
import io.tether.pool.internal.PoolEngine;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A pool on fake time with a fake connector and a recording listener, for tests that narrate a
 * timeline. Servers default to one, "app1" on 127.0.0.29:8080.
 */
public final class TestPool {
  public final FakeTicker ticker = new FakeTicker();
  public final ManualScheduler scheduler = new ManualScheduler(ticker);
  public final FakeConnector connector;
  public final RecordingListener events = new RecordingListener();
  public final PoolEngine<FakeConnector.Conn> pool;

  public TestPool(PoolConfig.Builder config) {
    this(config, false);
  }

  public TestPool(PoolConfig.Builder config, boolean tracksActivity) {
    this.connector = new FakeConnector(tracksActivity);
    PoolConfig c = config.build();
    if (c.servers().isEmpty()) {
      c = c.toBuilder().server("app1", "127.0.0.29", 8080).build();
    }
    this.pool =
        (PoolEngine<FakeConnector.Conn>)
            ConnectionPool.builder(connector).config(c).scheduler(scheduler).ticker(ticker)
                .listener(events).build();
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
