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
import java.util.function.Supplier;

/**
 * The idle-reaping workload of the field report: callers that each send a request, go quiet for a gap
 * drawn around the balancer's idle timeout, and send again. Every request whose connection is reused
 * across a gap races the balancer's close. Gaps are scheduled on a timer, not slept.
 */
public final class IdleGapWorkload {

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

  /**
   * Runs {@code callers} callers of {@code perCaller} requests each, with gaps uniform in [{@code
   * minGap}, {@code maxGap}] between a response and the next request.
   */
  public static CompletableFuture<Result> run(
      String name,
      int callers,
      int perCaller,
      Duration minGap,
      Duration maxGap,
      Supplier<CompletableFuture<?>> call,
      ScheduledExecutorService timer) {
    return run(name, callers, perCaller, minGap, maxGap, call, timer, () -> -1);
  }

  /** As above, also reporting {@code connections} (connections opened) at the end. */
  public static CompletableFuture<Result> run(
      String name,
      int callers,
      int perCaller,
      Duration minGap,
      Duration maxGap,
      Supplier<CompletableFuture<?>> call,
      ScheduledExecutorService timer,
      java.util.function.IntSupplier connections) {
    AtomicInteger requests = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    Map<String, Integer> byType = new ConcurrentHashMap<>();
    CompletableFuture<?>[] all = new CompletableFuture<?>[callers];
    for (int i = 0; i < callers; i++) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      all[i] = done;
      // Callers start spread over one gap so they do not move in lockstep.
      long startDelay = ThreadLocalRandom.current().nextLong(maxGap.toNanos());
      timer.schedule(() -> step(perCaller, minGap, maxGap, call, timer, requests, failures, byType, done),
          startDelay, TimeUnit.NANOSECONDS);
    }
    return CompletableFuture.allOf(all)
        .thenApply(v -> new Result(name, requests.get(), failures.get(), new TreeMap<>(byType),
            connections.getAsInt()));
  }

  private static void step(
      int remaining,
      Duration minGap,
      Duration maxGap,
      Supplier<CompletableFuture<?>> call,
      ScheduledExecutorService timer,
      AtomicInteger requests,
      AtomicInteger failures,
      Map<String, Integer> byType,
      CompletableFuture<Void> done) {
    if (remaining == 0) {
      done.complete(null);
      return;
    }
    requests.incrementAndGet();
    CompletableFuture<?> f;
    try {
      f = call.get();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.orTimeout(15, TimeUnit.SECONDS)
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                failures.incrementAndGet();
                Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
                String type = c instanceof TimeoutException ? "hung>15s" : c.getClass().getSimpleName();
                byType.merge(type, 1, Integer::sum);
              }
              long gap = ThreadLocalRandom.current().nextLong(minGap.toNanos(), maxGap.toNanos() + 1);
              timer.schedule(() -> step(remaining - 1, minGap, maxGap, call, timer, requests, failures, byType, done),
                  gap, TimeUnit.NANOSECONDS);
            });
  }
}
