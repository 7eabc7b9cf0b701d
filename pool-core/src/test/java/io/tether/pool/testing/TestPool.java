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
    this(config, tracksActivity, probe, null);
  }

  /**
   * A pool where everything random comes from {@code seed}: the engine's jitter and check spreading,
   * and the order in which tasks due at the same instant run. Driven from one thread, a run replays
   * exactly from its seed.
   */
  /** A pool that starts with no server ({@code dynamicServers()}): servers come at runtime. */
  public static TestPool dynamic(PoolConfig.Builder config) {
    return new TestPool(config, false, null, null, true);
  }

  public static TestPool seeded(PoolConfig.Builder config, boolean tracksActivity, long seed) {
    return new TestPool(config, tracksActivity, null, new java.util.SplittableRandom(seed));
  }

  private TestPool(PoolConfig.Builder config, boolean tracksActivity, FakeProbe probe,
      java.util.SplittableRandom seeded) {
    this(config, tracksActivity, probe, seeded, false);
  }

  private TestPool(PoolConfig.Builder config, boolean tracksActivity, FakeProbe probe,
      java.util.SplittableRandom seeded, boolean dynamic) {
    this.ticker = probe != null ? probe.ticker() : new FakeTicker();
    this.scheduler = new ManualScheduler(ticker, seeded == null ? null : seeded.split());
    this.connector = new FakeConnector(tracksActivity);
    PoolConfig c = config.build();
    if (c.servers().isEmpty() && !dynamic) {
      c = c.toBuilder().server("app1", "127.0.0.29", 8080).build();
    }
    ConnectionPool.Builder<FakeConnector.Conn> b =
        ConnectionPool.builder(connector).config(c).scheduler(scheduler).ticker(ticker).listener(events);
    if (dynamic) {
      b.dynamicServers();
    }
    if (seeded != null) {
      java.util.SplittableRandom draws = seeded.split();
      b.random(draws::nextDouble);
    }
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
