package io.tether.pool.internal;

import io.tether.pool.spi.Scheduler;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The timed work a pool owns on its {@link Scheduler}: every task is tracked until it runs or is
 * cancelled, and the pool cancels what is left when it closes. A scheduler that rejects a task (a
 * shut-down event loop) gets the task's fallback run at once on the calling thread, so whatever waited
 * on it completes instead of waiting forever.
 */
final class Tasks {
  /** What to do when the scheduler will not take a task: complete its waiters now. */
  interface Fallback {
    void rejected(RejectedExecutionException e);
  }

  private final Scheduler scheduler;
  private final Set<Task> tasks = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  Tasks(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  private final class Task implements Scheduler.Droppable, Scheduler.Cancellable {
    final Runnable body;
    final boolean survivesClose;
    final Fallback fallback;
    volatile Scheduler.Cancellable handle;

    Task(Runnable body, boolean survivesClose, Fallback fallback) {
      this.body = body;
      this.survivesClose = survivesClose;
      this.fallback = fallback;
    }

    @Override
    public void dropped(RejectedExecutionException why) {
      if (tasks.remove(this)) {
        fallback.rejected(why);
      }
    }

    @Override
    public void run() {
      tasks.remove(this);
      if (!closed || survivesClose) {
        body.run();
      }
    }

    @Override
    public void cancel() {
      tasks.remove(this);
      Scheduler.Cancellable h = handle;
      if (h != null) {
        h.cancel();
      }
    }
  }

  /**
   * Runs {@code body} after {@code delayNanos}, unless cancelled or the pool closes first (unless {@code
   * survivesClose}). If the scheduler rejects it, {@code fallback} runs now and the returned handle does
   * nothing. A scheduler that drops it later (see {@link Scheduler.Droppable}) runs the fallback then.
   */
  Scheduler.Cancellable schedule(Runnable body, long delayNanos, boolean survivesClose, Fallback fallback) {
    Task t = new Task(body, survivesClose, fallback);
    tasks.add(t);
    try {
      t.handle = scheduler.schedule(t, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      tasks.remove(t);
      fallback.rejected(e);
    }
    return t;
  }

  /** The pool closed: tasks that do not survive the close will not run. */
  void closing() {
    closed = true;
    for (Task t : new ArrayList<>(tasks)) {
      if (!t.survivesClose) {
        t.cancel();
      }
    }
  }

  /** The pool is closed: nothing scheduled runs any more. */
  void cancelAll() {
    for (Task t : new ArrayList<>(tasks)) {
      t.cancel();
    }
  }

  int size() {
    return tasks.size();
  }
}
