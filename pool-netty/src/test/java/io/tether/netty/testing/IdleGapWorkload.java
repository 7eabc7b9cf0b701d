package io.tether.netty.testing;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The idle-reaping workload of the field report: concurrent callers that each send a request, all go
 * quiet for a gap drawn around the balancer's idle timeout, and send again. Because they send together,
 * the pool holds one connection per caller, and each of those sits idle for the whole gap before it is
 * reused: every reuse races the balancer's close. (Free-running callers would mostly reuse a connection
 * another caller released milliseconds earlier and never meet the timeout.) Gaps are scheduled on a
 * timer, not slept.
 */
public final class IdleGapWorkload {
  /** How far apart the callers of one round send: "concurrent", not lockstep to the nanosecond. */
  private static final long ROUND_SPREAD_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  /** Outcome of one run. */
  public static final class Result {
    public final String name;
    public final int requests;
    public final int failures;
    public final Map<String, Integer> failuresByType;
    /** Connections the client opened, -1 if not counted. */
    public final int connections;

    Result(String name, int requests, int failures, Map<String, Integer> failuresByType, int connections) {
      this.name = name;
      this.requests = requests;
      this.failures = failures;
      this.failuresByType = failuresByType;
      this.connections = connections;
    }

    @Override
    public String toString() {
      return String.format("%-52s %5d requests %4d failed %4s connections %s", name, requests, failures,
          connections < 0 ? "?" : Integer.toString(connections), failuresByType.isEmpty() ? "" : failuresByType);
    }
  }

  private IdleGapWorkload() {}

  /** Runs without counting connections. */
  public static CompletableFuture<Result> run(String name, int callers, int rounds, Duration minGap,
      Duration maxGap, Supplier<CompletableFuture<?>> call, ScheduledExecutorService timer) {
    return run(name, callers, rounds, minGap, maxGap, call, timer, () -> -1);
  }

  /**
   * Runs {@code rounds} rounds of {@code callers} concurrent requests; before each round after the
   * first, everyone waits one gap uniform in [{@code minGap}, {@code maxGap}] after the previous round's
   * last response. {@code connections} reports connections opened at the end.
   */
  public static CompletableFuture<Result> run(String name, int callers, int rounds, Duration minGap,
      Duration maxGap, Supplier<CompletableFuture<?>> call, ScheduledExecutorService timer,
      IntSupplier connections) {
    AtomicInteger requests = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    Map<String, Integer> byType = new ConcurrentHashMap<>();
    CompletableFuture<Result> result = new CompletableFuture<>();
    round(0, rounds, callers, 0, minGap, maxGap, call, timer, requests, failures, byType, () -> result.complete(
        new Result(name, requests.get(), failures.get(), new TreeMap<>(byType), connections.getAsInt())));
    return result;
  }

  private static void round(int k, int rounds, int callers, long gapNanos, Duration minGap, Duration maxGap,
      Supplier<CompletableFuture<?>> call, ScheduledExecutorService timer, AtomicInteger requests,
      AtomicInteger failures, Map<String, Integer> byType, Runnable finished) {
    if (k == rounds) {
      finished.run();
      return;
    }
    CompletableFuture<?>[] calls = new CompletableFuture<?>[callers];
    for (int i = 0; i < callers; i++) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      calls[i] = done;
      long at = gapNanos + ThreadLocalRandom.current().nextLong(ROUND_SPREAD_NANOS);
      timer.schedule(() -> send(call, requests, failures, byType, done), at, TimeUnit.NANOSECONDS);
    }
    CompletableFuture.allOf(calls).whenComplete((v, e) -> {
      long gap = ThreadLocalRandom.current().nextLong(minGap.toNanos(), maxGap.toNanos() + 1);
      round(k + 1, rounds, callers, gap, minGap, maxGap, call, timer, requests, failures, byType, finished);
    });
  }

  private static void send(Supplier<CompletableFuture<?>> call, AtomicInteger requests, AtomicInteger failures,
      Map<String, Integer> byType, CompletableFuture<Void> done) {
    requests.incrementAndGet();
    CompletableFuture<?> f;
    try {
      f = call.get();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.orTimeout(15, TimeUnit.SECONDS).whenComplete((r, e) -> {
      if (e != null) {
        failures.incrementAndGet();
        Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        byType.merge(c instanceof TimeoutException ? "hung>15s" : c.getClass().getSimpleName(), 1, Integer::sum);
      }
      done.complete(null);
    });
  }
}
