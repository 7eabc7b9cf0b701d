package io.tether.bench.e2e;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The idle-reaping workload, recording each request's idle gap: rounds of concurrent requests (one per
 * caller, so the client holds one connection per caller), separated by a quiet gap drawn uniformly
 * from [min, max]. Every connection then sits idle for the whole gap before it is reused, and a gap
 * near the balancer's idle timeout races its close.
 */
public final class GapRounds {
  private static final long ROUND_SPREAD_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  /** Failures and requests by gap bucket, plus failures by exception type. */
  public record Result(String client, int requests, int failures, int[] requestsByBucket, int[] failuresByBucket,
      Map<String, Integer> failuresByType, int connections) {
    public double perThousand() {
      return requests == 0 ? 0 : failures * 1000.0 / requests;
    }
  }

  private GapRounds() {}

  public static Result run(LoadClient client, int callers, int rounds, Duration min, Duration max, int buckets,
      ScheduledExecutorService timer) throws Exception {
    return run(client, callers, rounds, min, max, buckets, timer, r -> {});
  }

  /** As above, calling {@code onRound} with the number of rounds done after each. */
  public static Result run(LoadClient client, int callers, int rounds, Duration min, Duration max, int buckets,
      ScheduledExecutorService timer, java.util.function.IntConsumer onRound) throws Exception {
    AtomicIntegerArray reqs = new AtomicIntegerArray(buckets);
    AtomicIntegerArray fails = new AtomicIntegerArray(buckets);
    Map<String, Integer> byType = new ConcurrentHashMap<>();
    long gap = 0;
    int bucket = 0;
    for (int r = 0; r < rounds; r++) {
      CompletableFuture<?>[] calls = new CompletableFuture<?>[callers];
      int b = bucket;
      for (int i = 0; i < callers; i++) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        calls[i] = done;
        long at = gap + ThreadLocalRandom.current().nextLong(ROUND_SPREAD_NANOS);
        timer.schedule(() -> send(client, b, reqs, fails, byType, done), at, TimeUnit.NANOSECONDS);
      }
      CompletableFuture.allOf(calls).join();
      onRound.accept(r + 1);
      gap = ThreadLocalRandom.current().nextLong(min.toNanos(), max.toNanos() + 1);
      bucket = (int) Math.min(buckets - 1, (gap - min.toNanos()) * buckets / (max.toNanos() - min.toNanos() + 1));
      if (r == 0) {
        // The first round opened the connections; it had no gap and is not counted.
        for (int k = 0; k < buckets; k++) {
          reqs.set(k, 0);
          fails.set(k, 0);
        }
        byType.clear();
      }
    }
    int[] rq = new int[buckets];
    int[] fl = new int[buckets];
    int n = 0;
    int f = 0;
    for (int k = 0; k < buckets; k++) {
      rq[k] = reqs.get(k);
      fl[k] = fails.get(k);
      n += rq[k];
      f += fl[k];
    }
    return new Result(client.name(), n, f, rq, fl, new TreeMap<>(byType), client.connectionsOpened());
  }

  private static void send(LoadClient client, int bucket, AtomicIntegerArray reqs, AtomicIntegerArray fails,
      Map<String, Integer> byType, CompletableFuture<Void> done) {
    reqs.incrementAndGet(bucket);
    CompletableFuture<Integer> f;
    try {
      f = client.get(0);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.orTimeout(15, TimeUnit.SECONDS).whenComplete((status, e) -> {
      if (e != null || status != 200) {
        fails.incrementAndGet(bucket);
        Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        String type = c == null ? "status " + status : c instanceof TimeoutException ? "hung>15s" : c.getClass().getSimpleName();
        byType.merge(type, 1, Integer::sum);
      }
      done.complete(null);
    });
  }
}
