package io.tether.netty3.internal;

import io.tether.pool.spi.Scheduler;
import java.util.concurrent.TimeUnit;
import org.jboss.netty.util.Timeout;
import org.jboss.netty.util.Timer;

/**
 * Runs a pool's timed work on a Netty 3 {@link Timer} (a {@code HashedWheelTimer}, usually the one the
 * application already has): Netty 3 has no event loop to schedule on. The pool owns no thread.
 */
public final class TimerScheduler implements Scheduler {
  private final Timer timer;

  public TimerScheduler(Timer timer) {
    this.timer = timer;
  }

  @Override
  public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
    try {
      Timeout t = timer.newTimeout(timeout -> task.run(), Math.max(0, delay), unit);
      return t::cancel;
    } catch (IllegalStateException stopped) {
      // The application stopped its timer while shutting down: the pool completes what waited on it.
      throw new java.util.concurrent.RejectedExecutionException("the Netty 3 timer is stopped", stopped);
    }
  }
}
