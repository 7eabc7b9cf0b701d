package io.tether.bench.e2e;

import io.tether.bench.report.Histogram;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A closed-loop load: {@code chains} callers, each sending its next request the moment its previous
 * response is in (on whatever thread completed it, as asynchronous applications do). Throughput is
 * then what the client, proxy and servers together sustain, and latency is not inflated by a queue in
 * front of the client.
 */
final class ClosedLoop {

  /** What one measured run produced. */
  record Result(String client, long requests, long failures, double perSecond, long p50Nanos, long p99Nanos,
      double cpuNanosPerRequest) {}

  private final LoadClient client;
  private final int chains;
  private final Histogram latency = new Histogram();
  private final LongAdder ok = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean running = true;
  private volatile boolean measuring;

  ClosedLoop(LoadClient client, int chains) {
    this.client = client;
    this.chains = chains;
  }

  static Result run(LoadClient client, int chains, Duration warmup, Duration measure) throws InterruptedException {
    return new ClosedLoop(client, chains).run(warmup, measure);
  }

  Result run(Duration warmup, Duration measure) throws InterruptedException {
    for (int i = 0; i < chains; i++) {
      inFlight.incrementAndGet();
      send(i);
    }
    TimeUnit.NANOSECONDS.sleep(warmup.toNanos());
    ok.reset();
    failed.reset();
    latency.reset();
    long cpu0 = CpuClock.clientNanos();
    long t0 = System.nanoTime();
    measuring = true;
    TimeUnit.NANOSECONDS.sleep(measure.toNanos());
    measuring = false;
    long elapsed = System.nanoTime() - t0;
    long cpu = CpuClock.clientNanos() - cpu0;
    long n = ok.sum();
    long f = failed.sum();
    running = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(5);
    }
    return new Result(client.name(), n, f, n * 1e9 / elapsed, latency.percentile(0.50), latency.percentile(0.99),
        n == 0 ? 0 : (double) cpu / n);
  }

  private void send(int chain) {
    long start = System.nanoTime();
    CompletableFuture<Integer> f;
    try {
      f = client.get(chain);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((status, error) -> {
      if (measuring) {
        if (error == null && status == 200) {
          latency.record(System.nanoTime() - start);
          ok.increment();
        } else {
          failed.increment();
        }
      }
      if (running && error != null) {
        // Back off a little: a client failing at once (nothing listening) must not recurse on the stack.
        CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS).execute(() -> send(chain));
      } else if (running) {
        send(chain);
      } else {
        inFlight.decrementAndGet();
      }
    });
  }
}
