package io.tether.bench.jmh;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * B1 and B2: lease an idle connection and give it back, the pool's cost around every request.
 *
 * <p>{@code offLoop}: the benchmark thread calls the pool, as application code on its own threads
 * does. {@code onLoop}: the calls run on an event loop (each thread has its own), as a Netty handler's
 * do; a batch of {@value #BATCH} cycles per task keeps the cost of getting onto the loop under 1 ns a
 * cycle. Run with {@code -t 1}, {@code -t 2} and {@code -t 8}; threads share one pool, except Netty's
 * pools, which get one pool per loop.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class AcquireReleaseBenchmark {
  static final int BATCH = 100_000;

  @State(Scope.Benchmark)
  public static class Pool {
    @Param({
      "tether-core", "tether-netty", "tether-netty-future", "tether-netty-loops", "netty-simple", "netty-fixed",
      "apache-lax", "apache-strict", "reactor-pool", "cas-pair", "cas-pair-clock"
    })
    public String impl;

    /** Idle connections per benchmark thread. */
    @Param("8")
    public int idle;

    /** The pooled channels' transport: loopback TCP, or Netty's in-VM {@code LocalChannel}. */
    @Param({"nio", "local"})
    public String transport;

    Lanes lanes;
    Contender contender;
    final AtomicInteger nextLane = new AtomicInteger();

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws Exception {
      int threads = params.getThreads();
      lanes = new Lanes(threads, transport);
      contender = Contenders.create(impl, lanes, threads, idle);
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
    Callable<Void> batch;

    @Setup(Level.Trial)
    public void setUp(Pool pool) {
      index = pool.nextLane.getAndIncrement();
      Contender c = pool.contender;
      int lane = index;
      batch = () -> {
        for (int i = 0; i < BATCH; i++) {
          c.cycle(lane);
        }
        return null;
      };
    }
  }

  @Benchmark
  public void offLoop(Pool pool, Lane lane) throws Exception {
    pool.contender.cycle(lane.index);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void onLoop(Pool pool, Lane lane) throws Exception {
    pool.lanes.loop(lane.index).submit(lane.batch).sync();
  }
}
