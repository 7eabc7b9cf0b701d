package io.tether.pool.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the pool does on its own as time passes: idle eviction and lifetime retirement (one sweep, run
 * exactly at the earliest deadline of any connection, never on a fixed period), and leak reports (a scan
 * every half threshold while leases are held). Both are functions of {@code now}; the scheduler only
 * decides when they run. The lease path checks deadlines itself too, so a late sweep never lets an
 * expired connection out.
 */
final class Maintenance<C> {
  private static final VarHandle NEXT_SWEEP;

  static {
    try {
      NEXT_SWEEP = MethodHandles.lookup().findVarHandle(Maintenance.class, "nextSweepAt", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final PoolEngine<C> engine;
  @SuppressWarnings("unused") // through NEXT_SWEEP
  private volatile long nextSweepAt = Long.MAX_VALUE;
  private final long leakThresholdNanos;
  private volatile boolean leakScanScheduled;

  Maintenance(PoolEngine<C> engine, long leakThresholdNanos) {
    this.engine = engine;
    this.leakThresholdNanos = leakThresholdNanos;
  }

  long nextSweepAt() {
    return nextSweepAt;
  }

  /**
   * Evicts every idle connection whose deadline is at or before {@code now} and retires leased ones
   * past their lifetime.
   *
   * @return nanoseconds until the next deadline, or {@code Long.MAX_VALUE} if no connection is idle
   */
  long maintain(long now) {
    long next = Long.MAX_VALUE;
    List<PooledConnection<C>> out = new ArrayList<>();
    long minLifetime = engine.deadlines.minLifetimeNanos();
    for (ServerPool<C> sp : engine.members.all()) {
      next = Math.min(next, ServerSweeps.sweep(sp, now, minLifetime, out));
    }
    for (PooledConnection<C> c : out) {
      engine.finishClose(c, null);
    }
    return next == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, next - now);
  }

  /** Makes sure a sweep runs no later than {@code at}. */
  void requestSweep(long at) {
    while (!engine.isClosed()) {
      long cur = nextSweepAt;
      if (at >= cur) {
        return;
      }
      if (NEXT_SWEEP.compareAndSet(this, cur, at)) {
        long now = engine.ticker.read();
        // Rejected (the scheduler is gone): nothing to do; the lease path still refuses expired connections.
        engine.tasks.schedule(this::runSweep, at - now, false, rejected -> { });
        return;
      }
    }
  }

  private void runSweep() {
    nextSweepAt = Long.MAX_VALUE;
    long now = engine.ticker.read();
    long delay = maintain(now);
    if (delay != Long.MAX_VALUE) {
      requestSweep(now + delay);
    }
  }

  /** {@return the acquiring stack to keep for a leak report, or null when leak detection is off} */
  Throwable acquireSite() {
    return leakThresholdNanos <= 0 ? null : new Throwable("acquired on " + Thread.currentThread().getName());
  }

  /**
   * A lease started: remember where ({@code site}, or the current stack if null), and make sure a scan
   * will look at it.
   */
  void trackLease(PooledConnection<C> c, long now, Throwable site) {
    if (leakThresholdNanos <= 0) {
      return;
    }
    c.leakReported = false;
    c.leasedAt = now;
    c.acquireSite = site != null ? site : acquireSite();
    if (!leakScanScheduled) {
      leakScanScheduled = true;
      engine.tasks.schedule(this::scanForLeaks, leakThresholdNanos / 2, false, rejected -> leakScanScheduled = false);
    }
  }

  /** Every half threshold while leases are held: reports each lease older than the threshold once. */
  private void scanForLeaks() {
    long now = engine.ticker.read();
    boolean anyLeased = false;
    for (ServerPool<C> sp : engine.members.all()) {
      for (PooledConnection<C> c : ServerSweeps.suspectedLeaks(sp, now - leakThresholdNanos)) {
        Duration held = Duration.ofNanos(now - c.leasedAt);
        engine.listener.leakSuspected(sp.endpoint, held, c.acquireSite);
        engine.recorder.recordLeakSuspected(sp.endpoint);
      }
      anyLeased |= ServerSweeps.snapshot(sp).leased() > 0;
    }
    if (anyLeased && !engine.isClosed()) {
      engine.tasks.schedule(this::scanForLeaks, leakThresholdNanos / 2, false, rejected -> leakScanScheduled = false);
    } else {
      leakScanScheduled = false;
    }
  }
}
