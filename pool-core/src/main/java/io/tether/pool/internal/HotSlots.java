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

  /**
   * The calling thread's stripe. Fixed per thread, so a thread keeps finding its own connection. Thread
   * ids are handed out in sequence, and the threads that share a pool (an event loop group, a worker
   * pool) are mostly created together: the low bits give them distinct stripes, where a hash would put
   * two of them on one stripe often enough (at 16 stripes, 1 pair in 16) to make them fight over it.
   */
  int stripe() {
    return (int) Thread.currentThread().getId() & mask;
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
