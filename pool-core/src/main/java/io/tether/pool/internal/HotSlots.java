package io.tether.pool.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

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
 *
 * <p>The slots are a plain array that {@link ServerPool} holds itself, read and written atomically through
 * a {@link VarHandle} by the static methods here: no {@code AtomicReferenceArray} and no holder object
 * between the server's record and the array. Each would be one more dependent load on every lease and
 * release, and one more cache miss on a pool of many servers whose records are not all in cache (B3
 * in docs/benchmarks.md). The stripe count is the array's length over the spread.
 */
final class HotSlots {
  /** References per 128 bytes with compressed oops; with 8-byte references the gap is only wider. */
  private static final int SPREAD = 32;

  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(PooledConnection[].class);

  private HotSlots() {}

  /** Slots for a server of at most {@code maxConnections}: a power of two up to 16, spread apart. */
  static PooledConnection<?>[] create(int maxConnections) {
    int n = 1;
    while (n < maxConnections && n < 16) {
      n <<= 1;
    }
    return new PooledConnection<?>[n * SPREAD];
  }

  static int count(PooledConnection<?>[] slots) {
    return slots.length / SPREAD;
  }

  /**
   * The calling thread's stripe. Fixed per thread, so a thread keeps finding its own connection. Thread
   * ids are handed out in sequence, and the threads that share a pool (an event loop group, a worker
   * pool) are mostly created together: the low bits give them distinct stripes, where a hash would put
   * two of them on one stripe often enough (at 16 stripes, 1 pair in 16) to make them fight over it.
   */
  static int stripe(PooledConnection<?>[] slots) {
    return (int) Thread.currentThread().getId() & (slots.length / SPREAD - 1);
  }

  static PooledConnection<?> get(PooledConnection<?>[] slots, int i) {
    return (PooledConnection<?>) SLOT.getVolatile(slots, i * SPREAD);
  }

  static boolean take(PooledConnection<?>[] slots, int i, PooledConnection<?> expected) {
    return SLOT.compareAndSet(slots, i * SPREAD, expected, (PooledConnection<?>) null);
  }

  static boolean offer(PooledConnection<?>[] slots, int i, PooledConnection<?> c) {
    return SLOT.compareAndSet(slots, i * SPREAD, (PooledConnection<?>) null, c);
  }

  /** Puts {@code c} in slot {@code i} and returns what was there. */
  static PooledConnection<?> swap(PooledConnection<?>[] slots, int i, PooledConnection<?> c) {
    return (PooledConnection<?>) SLOT.getAndSet(slots, i * SPREAD, c);
  }
}
