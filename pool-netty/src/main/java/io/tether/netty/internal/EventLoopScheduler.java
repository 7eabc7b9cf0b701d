package io.tether.netty.internal;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.ScheduledFuture;
import io.tether.pool.spi.Scheduler;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a pool's timed work on a Netty event loop, so the pool owns no thread of its own. An event loop
 * that shuts down cancels the tasks it had scheduled without running them; this scheduler tells the
 * pool ({@link Scheduler.Droppable}) so that nothing waits on them forever.
 */
public final class EventLoopScheduler implements Scheduler {
  private final EventExecutor executor;

  public EventLoopScheduler(EventExecutor executor) {
    this.executor = executor;
  }

  public EventExecutor executor() {
    return executor;
  }

  @Override
  public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
    if (executor.isShuttingDown()) {
      // A loop in its quiet period still takes tasks but cancels them at the end: refuse now.
      throw new RejectedExecutionException("event loop " + executor + " is shutting down");
    }
    ScheduledFuture<?> f = executor.schedule(task, Math.max(0, delay), unit);
    Handle h = new Handle(f);
    if (task instanceof Droppable) {
      f.addListener(new DropWatch(h, (Droppable) task));
    }
    return h;
  }

  private static final class Handle implements Cancellable {
    final ScheduledFuture<?> future;
    volatile boolean cancelled;

    Handle(ScheduledFuture<?> future) {
      this.future = future;
    }

    @Override
    public void cancel() {
      cancelled = true;
      future.cancel(false);
    }
  }

  /** A cancel that did not come from the pool is the event loop dropping the task as it shuts down. */
  private static final class DropWatch implements GenericFutureListener<Future<Object>> {
    final Handle handle;
    final Droppable task;

    DropWatch(Handle handle, Droppable task) {
      this.handle = handle;
      this.task = task;
    }

    @Override
    public void operationComplete(Future<Object> f) {
      if (f.isCancelled() && !handle.cancelled) {
        task.dropped(new RejectedExecutionException("the event loop shut down before the task ran"));
      }
    }
  }
}
