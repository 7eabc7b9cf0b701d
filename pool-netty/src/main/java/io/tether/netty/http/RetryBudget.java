package io.tether.netty.http;

import io.tether.pool.spi.Ticker;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The running count behind {@link RetryPolicy}'s budget: requests and retries in ten buckets that
 * together span the window, on the client's ticker. Sending a request costs one increment; a retry
 * sums the buckets. Thread-safe; a bucket being recycled by one thread while another counts into it can
 * lose a count, which only moves the budget by one request.
 */
final class RetryBudget {
  private static final int BUCKETS = 10;

  private final RetryPolicy policy;
  private final Ticker ticker;
  private final long bucketNanos;
  /** Per bucket: its epoch (bucket number since the ticker's origin), requests, retries. */
  private final AtomicLongArray cells = new AtomicLongArray(BUCKETS * 3);

  RetryBudget(RetryPolicy policy, Ticker ticker) {
    this.policy = policy;
    this.ticker = ticker;
    this.bucketNanos = Math.max(1, policy.window().toNanos() / BUCKETS);
    for (int i = 0; i < BUCKETS; i++) {
      cells.set(i * 3, Long.MIN_VALUE);
    }
  }

  /** A request is being sent. */
  void sent(long now) {
    cells.incrementAndGet(bucket(now) * 3 + 1);
  }

  /** Whether a retry may go now; counts it if so. */
  boolean tryRetry() {
    if (policy.maxRetries() == 0) {
      return false;
    }
    long now = ticker.read();
    long epoch = Math.floorDiv(now, bucketNanos);
    long requests = 0;
    long retries = 0;
    for (int i = 0; i < BUCKETS; i++) {
      long e = cells.get(i * 3);
      if (e > epoch - BUCKETS) {
        requests += cells.get(i * 3 + 1);
        retries += cells.get(i * 3 + 2);
      }
    }
    double windowSeconds = policy.window().toNanos() / 1e9;
    double allowed = policy.budgetRatio() * requests + policy.minRetriesPerSecond() * windowSeconds;
    if (retries + 1 > allowed) {
      return false;
    }
    cells.incrementAndGet(bucket(now) * 3 + 2);
    return true;
  }

  /** The bucket for {@code now}, recycled first if it still holds an older epoch. */
  private int bucket(long now) {
    long epoch = Math.floorDiv(now, bucketNanos);
    int i = (int) Math.floorMod(epoch, (long) BUCKETS);
    long e = cells.get(i * 3);
    if (e != epoch && cells.compareAndSet(i * 3, e, epoch)) {
      cells.set(i * 3 + 1, 0);
      cells.set(i * 3 + 2, 0);
    }
    return i;
  }
}
