package io.tether.netty3.testing;

import io.tether.pool.testing.FakeTicker;
import java.time.Duration;
import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jboss.netty.util.Timeout;
import org.jboss.netty.util.Timer;
import org.jboss.netty.util.TimerTask;

/** A Netty 3 {@link Timer} on a {@link FakeTicker}: tasks run only inside {@link #advance}. */
public final class FakeTimer implements Timer {
  private final FakeTicker ticker;
  private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> Long.compare(a.due, b.due));

  public FakeTimer(FakeTicker ticker) {
    this.ticker = ticker;
  }

  private final class Entry implements Timeout {
    final long due;
    final TimerTask task;
    volatile boolean cancelled;
    volatile boolean expired;

    Entry(long due, TimerTask task) {
      this.due = due;
      this.task = task;
    }

    @Override
    public Timer getTimer() {
      return FakeTimer.this;
    }

    @Override
    public TimerTask getTask() {
      return task;
    }

    @Override
    public boolean isExpired() {
      return expired;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public void cancel() {
      cancelled = true;
      synchronized (FakeTimer.this) {
        queue.remove(this);
      }
    }
  }

  @Override
  public synchronized Timeout newTimeout(TimerTask task, long delay, TimeUnit unit) {
    Entry e = new Entry(ticker.read() + unit.toNanos(delay), task);
    queue.add(e);
    return e;
  }

  /** Moves time forward, running each task at its due time. */
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
        e.expired = true;
        try {
          e.task.run(e);
        } catch (Exception ex) {
          throw new AssertionError(ex);
        }
      }
    }
    ticker.advanceTo(target);
  }

  /** Tasks waiting to run. */
  public synchronized int pending() {
    return queue.size();
  }

  @Override
  public synchronized Set<Timeout> stop() {
    Set<Timeout> left = new HashSet<>(queue);
    queue.clear();
    return left;
  }
}
