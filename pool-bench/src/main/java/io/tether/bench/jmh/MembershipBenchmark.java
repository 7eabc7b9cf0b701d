package io.tether.bench.jmh;

import io.tether.pool.ConnectionPool;
import io.tether.pool.Endpoint;
import io.tether.pool.MembershipChange;
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
 * What a membership change costs on a pool of {@code servers} servers: {@code replaceAll} swaps the
 * whole set for another of the same size ({@code servers} removed and as many added, as when DNS
 * answers with all new addresses); {@code reweightAll} changes every weight; {@code addAndRemoveOne}
 * adds one server and removes another (a single change on a big pool).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class MembershipBenchmark {

  @State(Scope.Benchmark)
  public static class Pool {
    @Param({"10", "100", "1000"})
    public int servers;

    ScheduledExecutorService timer;
    ConnectionPool<FakeConnector.Conn> pool;
    List<Endpoint> a;
    List<Endpoint> b;
    List<Endpoint> heavier;
    boolean onA = true;
    int extra;

    @Setup(Level.Trial)
    public void setUp() {
      timer = Executors.newSingleThreadScheduledExecutor();
      a = endpoints("a", 1);
      b = endpoints("b", 1);
      heavier = endpoints("a", 2);
      pool = ConnectionPool.builder(new FakeConnector(true)).dynamicServers()
          .config(PoolConfig.builder().maxConnections(100_000).lbIdleTimeout(Duration.ofHours(1)).build())
          .scheduler(Scheduler.of(timer)).build();
      pool.updateServers(a);
    }

    private List<Endpoint> endpoints(String prefix, int weight) {
      List<Endpoint> out = new ArrayList<>();
      for (int i = 0; i < servers; i++) {
        out.add(new Endpoint(prefix + i, "10." + (prefix.equals("a") ? 1 : 2) + "." + (i / 250) + "." + (i % 250 + 1),
            8080, weight));
      }
      return out;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      pool.close();
      timer.shutdownNow();
    }
  }

  @Benchmark
  public MembershipChange replaceAll(Pool p) {
    MembershipChange c = p.pool.updateServers(p.onA ? p.b : p.a);
    p.onA = !p.onA;
    return c;
  }

  @Benchmark
  public MembershipChange reweightAll(Pool p) {
    if (!p.onA) {
      p.pool.updateServers(p.a);
      p.onA = true;
    }
    MembershipChange c = p.pool.updateServers(p.heavier);
    p.pool.updateServers(p.a);
    return c;
  }

  @Benchmark
  public void addAndRemoveOne(Pool p) {
    String name = "x" + (p.extra++);
    p.pool.addServer(Endpoint.of(name, "10.9.9.9", 8080));
    p.pool.removeServer(name);
  }
}
