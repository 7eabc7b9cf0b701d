package io.tether.netty.internal;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.tether.pool.Scheduler;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs a pool's timed work on a Netty event loop, so the pool owns no thread of its own. */
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
    try {
      ScheduledFuture<?> f = executor.schedule(task, Math.max(0, delay), unit);
      return () -> f.cancel(false);
    } catch (RejectedExecutionException shuttingDown) {
      // The application is shutting its event loops down; nothing left to run anything on.
      return () -> {};
    }
  }
}
