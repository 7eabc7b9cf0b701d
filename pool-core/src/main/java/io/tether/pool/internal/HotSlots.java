package io.tether.pool.internal;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The lock-free front of a server's idle set: a few slots, one per thread stripe, each pointing at one
 * connection. A thread releases into and acquires from its own stripe first, so a busy thread reuses
 * its own warm connection with one CAS and no lock; this is what makes LIFO reuse cost a few
 * nanoseconds.
 *
 * <p>A slot keeps pointing at the connection it handed out (LEASED_HOT, see {@link PooledConnection}),
 * and may point at one that closed meanwhile (a tombstone); the connection's state says which, and
 * every reader checks it.
 *
 * <p>Slots are spread 128 bytes apart so two threads working their own stripes never share a cache
 * line, nor the pair of lines that adjacent-line prefetching (common on x86) moves together.
 */
final class HotSlots {
  /** References per 128 bytes with compressed oops; with 8-byte references the gap is only wider. */
  private static final int SPREAD = 32;

  private final AtomicReferenceArray<PooledConnection<?>> slots;
  private final int mask;
  private final int count;

  HotSlots(int maxConnections) {
    int n = 1;
    while (n < maxConnections && n < 16) {
      n <<= 1;
    }
    this.count = n;
    this.mask = n - 1;
    this.slots = new AtomicReferenceArray<>(n * SPREAD);
  }

  int count() {
    return count;
  }

  /** The calling thread's stripe. Fixed per thread, so a thread keeps finding its own connection. */
  int stripe() {
    long id = Thread.currentThread().getId();
    return (int) ((id * 0x9E3779B97F4A7C15L) >>> 40) & mask;
  }

  PooledConnection<?> get(int i) {
    return slots.get(i * SPREAD);
  }

  boolean take(int i, PooledConnection<?> expected) {
    return slots.compareAndSet(i * SPREAD, expected, null);
  }

  boolean offer(int i, PooledConnection<?> c) {
    return slots.compareAndSet(i * SPREAD, null, c);
  }

  /** Puts {@code c} in slot {@code i} and returns what was there. */
  PooledConnection<?> swap(int i, PooledConnection<?> c) {
    return slots.getAndSet(i * SPREAD, c);
  }
}
