package io.tether.pool.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Moves connections toward servers that have less than their share, after a server joins, comes back
 * up or is re-weighted: otherwise long-lived connections stay where they were opened and a scale-out
 * is wasted until they happen to close. Every tick (250 ms, jittered by up to half) it compares each
 * server in the rotation with its weighted share of the pool's connections; while some server is
 * outside 80-120% of its share and some server is below it, each server above its share by one or more
 * has a quarter of its excess (at least one) marked to close when next released ({@link
 * io.tether.pool.CloseCause#REBALANCED}); the replacement then opens where there is room (leastconn).
 * Marking closes nothing by itself, so an idle pool never shrinks. Off with {@code rebalance=false}.
 */
final class Rebalancer<C> {
  private static final VarHandle SCHEDULED;

  static {
    try {
      SCHEDULED = MethodHandles.lookup().findVarHandle(Rebalancer.class, "scheduled", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  static final long TICK_NANOS = 250_000_000L;
  static final double TOLERANCE = 0.2;

  private final PoolEngine<C> engine;
  @SuppressWarnings("unused") // through SCHEDULED
  private volatile int scheduled;

  Rebalancer(PoolEngine<C> engine) {
    this.engine = engine;
  }

  /** Something changed that may leave servers out of balance: make sure a tick runs. */
  void kick() {
    if (engine.config.rebalance() && !engine.isClosed() && SCHEDULED.compareAndSet(this, 0, 1)) {
      long delay = TICK_NANOS / 2 + (long) (engine.random.getAsDouble() * TICK_NANOS);
      engine.tasks.schedule(this::tick, delay, false, rejected -> scheduled = 0);
    }
  }

  private void tick() {
    scheduled = 0;
    if (engine.isClosed() || !engine.config.rebalance()) {
      return;
    }
    if (rebalance()) {
      kick();
    }
  }

  /** One step; true while the servers are still out of balance (so another step should follow). */
  boolean rebalance() {
    ServerPool<C>[] all = engine.members.all();
    long weights = 0;
    int total = 0;
    int inRotation = 0;
    for (ServerPool<C> sp : all) {
      if (sp.balanced) {
        weights += engine.weightOf(sp);
        total += sp.total;
        inRotation++;
      }
    }
    if (inRotation < 2 || weights == 0 || total == 0) {
      return false;
    }
    boolean unfair = false;
    boolean anyBelow = false;
    for (ServerPool<C> sp : all) {
      if (sp.balanced) {
        double share = share(sp, total, weights);
        unfair |= sp.total < (1 - TOLERANCE) * share || sp.total > (1 + TOLERANCE) * share;
        anyBelow |= sp.total < share;
      }
    }
    if (!unfair || !anyBelow) {
      return false;
    }
    for (ServerPool<C> sp : all) {
      double share = share(sp, total, weights);
      if (sp.balanced && sp.total >= share + 1) {
        int excess = (int) Math.floor(sp.total - share);
        ServerSweeps.markForRebalance(sp, Math.max(1, (excess + 3) / 4));
      }
    }
    return true;
  }

  private double share(ServerPool<C> sp, int total, long weights) {
    return (double) total * engine.weightOf(sp) / weights;
  }
}
