package io.tether.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.tether.pool.spi.Scheduler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pool's timed work on a real event loop: a task runs, a cancelled one does not, and a loop that
 * shuts down tells the pool of each task it drops (and only of those), so nothing waits on them forever.
 */
@Timeout(10)
class EventLoopSchedulerTest {
  private final EventLoop loop = new DefaultEventLoop();
  private final EventLoopScheduler scheduler = new EventLoopScheduler(loop);
  private final List<String> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** A droppable task that records whether it ran or was dropped. */
  private Scheduler.Droppable task(String name, CountDownLatch done) {
    return new Scheduler.Droppable() {
      @Override
      public void run() {
        events.add(name + " ran");
        done.countDown();
      }

      @Override
      public void dropped(RejectedExecutionException why) {
        events.add(name + " dropped");
        assertNotNull(why.getMessage());
        done.countDown();
      }
    };
  }

  @Test
  void aTaskRunsOnTheLoopAndANegativeDelayMeansNow() throws Exception {
    assertEquals(loop, scheduler.executor());
    CountDownLatch done = new CountDownLatch(1);
    assertNotNull(scheduler.schedule(() -> {
      events.add(loop.inEventLoop() ? "on the loop" : "elsewhere");
      done.countDown();
    }, -5, TimeUnit.SECONDS));
    assertTrue(done.await(5, TimeUnit.SECONDS), "ran at once, not never");
    assertEquals(List.of("on the loop"), events);
  }

  @Test
  void aTaskThePoolCancelsNeitherRunsNorCountsAsDropped() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    scheduler.schedule(task("cancelled", never), 50, TimeUnit.MILLISECONDS).cancel();
    CountDownLatch done = new CountDownLatch(1);
    scheduler.schedule(task("later", done), 100, TimeUnit.MILLISECONDS);
    assertTrue(done.await(5, TimeUnit.SECONDS));
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    assertEquals(List.of("later ran"), events, "the cancelled task left no trace, the other ran and was not dropped");
  }

  @Test
  void aLoopShuttingDownDropsAPendingTaskAndSaysSo() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    scheduler.schedule(task("pending", done), 1, TimeUnit.HOURS);
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    assertTrue(done.await(5, TimeUnit.SECONDS), "the pool hears of the drop");
    assertEquals(List.of("pending dropped"), events);
  }

  @Test
  void aLoopAlreadyShuttingDownRefusesNewWork() {
    loop.shutdownGracefully(300, 5000, TimeUnit.MILLISECONDS); // in its quiet period: Netty would still take tasks
    RejectedExecutionException e = assertThrows(RejectedExecutionException.class,
        () -> scheduler.schedule(() -> events.add("ran"), 1, TimeUnit.MILLISECONDS));
    assertTrue(e.getMessage().contains("shutting down"), e.getMessage());
    assertFalse(events.contains("ran"));
  }
}
