package io.tether.pool.testing;

import io.tether.pool.spi.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler driven by a {@link FakeTicker}: tasks run only inside {@link #runDue()} or {@link
 * #advance(Duration)}, on the calling thread, in due order. Thread-safe.
 */
public final class ManualScheduler implements Scheduler {
  private final FakeTicker ticker;
  private final PriorityQueue<Entry> queue =
      new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
  private long seq;
  /** When set, tasks due at the same instant run in an order drawn from it instead of scheduling order. */
  private final java.util.SplittableRandom interleave;

  public ManualScheduler(FakeTicker ticker) {
    this(ticker, null);
  }

  /**
   * A scheduler whose ties (tasks due at the same instant) are broken by {@code interleave}: a seed picks
   * one interleaving of the engine's tasks, and the same seed replays it.
   */
  public ManualScheduler(FakeTicker ticker, java.util.SplittableRandom interleave) {
    this.ticker = ticker;
    this.interleave = interleave;
  }

  private static final class Entry {
    final long due;
    final long seq;
    final Runnable task;
    volatile boolean cancelled;

    Entry(long due, long seq, Runnable task) {
      this.due = due;
      this.seq = seq;
      this.task = task;
    }
  }

  @Override
  public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
    Entry e;
    synchronized (this) {
      e = new Entry(ticker.read() + Math.max(0, unit.toNanos(delay)),
          interleave == null ? seq++ : interleave.nextLong(), task);
      queue.add(e);
    }
    return () -> {
      e.cancelled = true;
      synchronized (this) {
        queue.remove(e);
      }
    };
  }

  /** Runs every task due now, including tasks they schedule for now. Returns how many ran. */
  public int runDue() {
    int ran = 0;
    while (true) {
      Entry e;
      synchronized (this) {
        e = queue.peek();
        if (e == null || e.due > ticker.read()) {
          return ran;
        }
        queue.poll();
      }
      if (!e.cancelled) {
        e.task.run();
        ran++;
      }
    }
  }

  /**
   * Moves time forward by {@code d}, stopping at each task's due time to run it, so tasks observe the
   * time they were scheduled for.
   */
  public void advance(Duration d) {
    long target = ticker.read() + d.toNanos();
    while (true) {
      Entry e;
      synchronized (this) {
        e = queue.peek();
        if (e == null || e.due > target) {
          break;
        }
        queue.poll();
      }
      ticker.advanceTo(e.due);
      if (!e.cancelled) {
        e.task.run();
      }
    }
    ticker.advanceTo(target);
  }

  /** Tasks waiting to run. */
  public synchronized int pending() {
    return queue.size();
  }

  /** Due times of waiting tasks, as durations from now, earliest first. */
  public synchronized List<Duration> pendingDelays() {
    List<Entry> sorted = new ArrayList<>(queue);
    sorted.sort((a, b) -> Long.compare(a.due, b.due));
    List<Duration> out = new ArrayList<>();
    long now = ticker.read();
    for (Entry e : sorted) {
      out.add(Duration.ofNanos(e.due - now));
    }
    return out;
  }
}
