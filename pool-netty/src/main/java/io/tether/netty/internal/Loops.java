package io.tether.netty.internal;

import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.util.concurrent.RejectedExecutionException;

/** Running things on a channel's event loop, including when it has shut down. */
public final class Loops {
  private Loops() {}

  /**
   * Runs {@code task} on {@code loop}: now if the caller is on it, else queued.
   *
   * @return false if the loop refused it (shut down); the task did not run
   */
  public static boolean run(EventExecutor loop, Runnable task) {
    if (loop.inEventLoop()) {
      task.run();
      return true;
    }
    try {
      loop.execute(task);
      return true;
    } catch (RejectedExecutionException gone) {
      return false;
    }
  }

  /**
   * Whether work queued on {@code loop} could still run before a task the caller queues now: a close
   * another thread asked for, say. Always true for executors that cannot tell.
   */
  public static boolean busy(EventExecutor loop) {
    return !(loop instanceof SingleThreadEventExecutor s) || s.pendingTasks() != 0;
  }

  /**
   * A promise whose listeners run on {@code loop}, or on the completing thread once {@code loop} is
   * shutting down: a Netty promise of a terminated loop drops its listeners ("Failed to submit a
   * listener notification task"), and the pool promises that every future completes and notifies.
   */
  public static <T> Promise<T> promise(EventExecutor loop) {
    return new LoopPromise<>(loop);
  }

  private static final class LoopPromise<T> extends DefaultPromise<T> {
    private final EventExecutor loop;

    LoopPromise(EventExecutor loop) {
      super(loop);
      this.loop = loop;
    }

    @Override
    protected EventExecutor executor() {
      return loop.isShuttingDown() ? ImmediateEventExecutor.INSTANCE : loop;
    }
  }
}
