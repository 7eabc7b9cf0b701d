package io.tether.pool.spi;

import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Where a pool runs its timed work: idle sweeps, acquire timeouts, health checks. The pool owns no
 * threads of its own; it only schedules tasks here and cancels them when it closes.
 *
 * <p>The Netty adapters pass an event loop; plain users pass a {@link ScheduledExecutorService} through
 * {@link #of(ScheduledExecutorService)}; tests pass a manual scheduler driven by a fake {@link Ticker}.
 * Implementations must be thread-safe. Tasks must be run one at a time per scheduled call, never
 * concurrently with themselves, and never before their delay has passed. A scheduler that can no longer
 * run tasks (a shut-down event loop or executor) throws {@link
 * java.util.concurrent.RejectedExecutionException} from {@link #schedule}: the pool then completes
 * whatever was waiting on that task at once, with that exception as the cause.
 */
public interface Scheduler {

  /**
   * Runs {@code task} once after {@code delay}. A delay of zero or less runs it as soon as possible.
   *
   * @param task the task
   * @param delay how long to wait
   * @param unit unit of {@code delay}
   * @return a handle whose {@link Cancellable#cancel()} prevents the task from running if it has not
   *     started yet
   */
  Cancellable schedule(Runnable task, long delay, TimeUnit unit);

  /**
   * A task that must hear about it if the scheduler drops it after accepting it: an event loop shut down
   * before the delay passed cancels its scheduled tasks without running them. A scheduler that can tell
   * (the Netty adapters' can) calls {@link #dropped} instead of running the task, so whatever waited on
   * it (an acquire's timeout, a connect's guard) completes.
   */
  interface Droppable extends Runnable {
    /**
     * The scheduler dropped this task without running it.
     *
     * @param why what the scheduler says happened
     */
    void dropped(java.util.concurrent.RejectedExecutionException why);
  }

  /** A scheduled task that can be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task; harmless if it already ran or was cancelled. */
    void cancel();
  }

  /**
   * Adapts a {@link ScheduledExecutorService}; the caller keeps ownership and shuts it down.
   *
   * @param executor the executor to schedule on
    * @return a scheduler on {@code executor}
   */
  static Scheduler of(ScheduledExecutorService executor) {
    Objects.requireNonNull(executor, "executor");
    return (task, delay, unit) -> {
      ScheduledFuture<?> f = executor.schedule(task, Math.max(0, delay), unit);
      return () -> f.cancel(false);
    };
  }
}
