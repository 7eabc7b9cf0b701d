package io.tether.bench.jmh;

import io.tether.pool.ConnectionPool;
import io.tether.pool.Endpoint;
import io.tether.pool.Lease;
import io.tether.pool.PoolConfig;
import io.tether.pool.spi.Scheduler;
import io.tether.pool.testing.FakeConnector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * B3: sessions pinned to their last server ({@code acquireByKey}, HAProxy's prefer-last-server) as the
 * number of servers grows. Each cycle takes the next of 1,024 session keys, leases an idle connection
 * of the key's server and releases it. The cost should not grow with the server count: finding a key's
 * server is one hash lookup and its idle connections are the server's own.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class AffinityBenchmark {
  static final int KEYS = 1024;

  @State(Scope.Benchmark)
  public static class Pool {
    @Param({"1", "8", "64", "1000"})
    public int servers;

    @Param("4")
    public int idlePerServer;

    ScheduledExecutorService timer;
    ConnectionPool<FakeConnector.Conn> pool;
    final Object[] keys = new Object[KEYS];

    @Setup(Level.Trial)
    public void setUp() {
      timer = Executors.newSingleThreadScheduledExecutor();
      List<Endpoint> endpoints = new ArrayList<>();
      for (int i = 0; i < servers; i++) {
        endpoints.add(Endpoint.of("app" + i, "10.0." + (i / 250) + "." + (i % 250 + 1), 8080));
      }
      PoolConfig config =
          PoolConfig.builder().servers(endpoints).maxConnections(servers * idlePerServer)
              .maxConnectionsPerServer(idlePerServer).lbIdleTimeout(Duration.ofHours(1)).build();
      pool = ConnectionPool.builder(new FakeConnector(true)).config(config).scheduler(Scheduler.of(timer)).build();
      List<Lease<FakeConnector.Conn>> leases = new ArrayList<>();
      for (Endpoint e : endpoints) {
        for (int i = 0; i < idlePerServer; i++) {
          leases.add(pool.acquire(e).join());
        }
      }
      leases.forEach(Lease::release);
      // Pin every key once, so the measured cycles only look keys up.
      for (int i = 0; i < KEYS; i++) {
        keys[i] = "session-" + i;
        pool.acquireByKey(keys[i]).join().release();
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      pool.close();
      timer.shutdownNow();
    }
  }

  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  @Benchmark
  public void byKey(Pool p, Cursor cursor) {
    Object key = p.keys[cursor.next++ & (KEYS - 1)];
    Lease<FakeConnector.Conn> lease = p.pool.tryAcquireByKey(key);
    if (lease == null) {
      throw new IllegalStateException("no idle connection for " + key + ": " + p.pool.stats());
    }
    lease.release();
  }

  /** The same pool leased without a key: the pool picks the connection (the lease most callers make). */
  @Benchmark
  public void anyServer(Pool p) {
    Lease<FakeConnector.Conn> lease = p.pool.tryAcquire();
    if (lease == null) {
      throw new IllegalStateException("no idle connection: " + p.pool.stats());
    }
    lease.release();
  }
}
