package io.tether.bench.jmh;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The floor: claim a free slot by CAS and free it by CAS, with nothing else a pool does (no limits,
 * no idle deadlines, no metrics). No pool can hand out a connection for less. With {@code clock}, one
 * {@link System#nanoTime()} compared against a deadline per hand-out as well: the floor for a pool that
 * checks its idle deadline at lease time, as Tether does.
 */
final class CasContender implements Contender {
  /** 256 bytes per slot: lanes never share a cache line, its prefetch pair, or a line of a sector. */
  private static final int STRIDE = 64;

  private final AtomicIntegerArray slots;
  private final int count;
  private final boolean clock;
  private final long deadline = System.nanoTime() + TimeUnit.DAYS.toNanos(1);

  CasContender(int connections, boolean clock) {
    this.count = connections;
    this.clock = clock;
    this.slots = new AtomicIntegerArray(connections * STRIDE);
  }

  @Override
  public void cycle(int lane) {
    for (int k = 0; k < count; k++) {
      int j = lane + k;
      int i = (j < count ? j : j - count) * STRIDE;
      if (slots.compareAndSet(i, 0, 1)) {
        if (clock && System.nanoTime() > deadline) {
          throw new IllegalStateException("a day passed");
        }
        if (!slots.compareAndSet(i, 1, 0)) {
          throw new IllegalStateException("slot " + i + " freed twice");
        }
        return;
      }
    }
    throw new IllegalStateException("no free slot");
  }

  @Override
  public void close() {}
}
