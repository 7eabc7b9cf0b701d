package io.tether.pool.internal;

import io.tether.pool.ConnectionPool;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolListener;
import io.tether.pool.metrics.PoolMetricsRecorder;
import io.tether.pool.spi.Connector;
import io.tether.pool.spi.HealthProbe;
import io.tether.pool.spi.LogSink;
import io.tether.pool.spi.Scheduler;
import io.tether.pool.spi.Ticker;
import java.util.function.DoubleSupplier;

/** Where {@link ConnectionPool.Builder} gets an engine: the one entry into this package. */
public final class Engines {
  private Engines() {}

  /** Builds and starts an engine; see {@link ConnectionPool.Builder#build()}. */
  public static <C> ConnectionPool<C> create(PoolConfig config, Connector<C> connector, Scheduler scheduler,
      Ticker ticker, PoolListener listener, PoolMetricsRecorder recorder, DoubleSupplier random, HealthProbe probe,
      LogSink log) {
    return new PoolEngine<>(config, connector, scheduler, ticker, listener, recorder, random, probe, log);
  }
}
