package io.tether.pool.internal;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The lock-free front of a server's idle set: a few slots, one per thread stripe, each holding at most
 * one idle connection. A thread releases into and acquires from its own stripe first, so a busy thread
 * reuses its own warm connection with one CAS and no lock; this is what makes LIFO reuse cost a few
 * nanoseconds.
 *
 * <p>Slots are spread one cache line apart so two threads working their own stripes do not false-share.
 * A slot may briefly hold a connection that is no longer idle (a tombstone: it was closed between its
 * release and its linking); whoever takes it out checks the state and drops it.
 */
final class HotSlots {
  /** References per 64-byte line with compressed oops; with 8-byte references the gap is only wider. */
  private static final int SPREAD = 16;

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
