package io.tether.bench.jmh;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * B2, exhausted: 8 threads share a pool of 2 connections, so most acquires wait for another thread's
 * release. A good pool parks the waiter and wakes it exactly once per hand-off, burning no CPU while
 * it waits. Run with {@code -prof io.tether.bench.jmh.CpuProfiler} to see CPU time and wake-ups per
 * operation next to the time.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Threads(8)
public class HandoffBenchmark {

  @State(Scope.Benchmark)
  public static class Pool {
    @Param({"tether-core-future", "tether-netty", "netty-fixed", "apache-lax", "apache-strict", "reactor-pool"})
    public String impl;

    @Param("2")
    public int connections;

    Lanes lanes;
    Contender contender;
    final AtomicInteger nextLane = new AtomicInteger();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      lanes = new Lanes(1);
      contender = Contenders.createShared(impl, lanes, connections);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
      contender.close();
      lanes.close();
    }
  }

  @State(Scope.Thread)
  public static class Lane {
    int index;

    @Setup(Level.Trial)
    public void setUp(Pool pool) {
      index = pool.nextLane.getAndIncrement();
    }
  }

  @Benchmark
  public void exhausted(Pool pool, Lane lane) throws Exception {
    pool.contender.cycleWaiting(lane.index);
  }
}
