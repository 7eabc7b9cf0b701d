package io.tether.pool.internal;

import io.tether.pool.PoolConfig;

/**
 * The eviction settings in force, in nanoseconds, swapped whole when a live pool is reconfigured. Each connection keeps
 * its own uniform draws, so recomputing its deadlines under new settings keeps its place in the jitter.
 */
record Deadlines(long evictAfterNanos, long unusedAfterNanos, long handoutMarginNanos, long lifetimeNanos,
    double jitter) {

  static Deadlines of(PoolConfig c) {
    io.tether.pool.Eviction e = c.eviction();
    return new Deadlines(e.evictAfter().toNanos(), e.evictUnusedAfter().toNanos(), e.handoutMargin().toNanos(),
        e.maxLifetime().toNanos(), e.jitter());
  }

  /** Shortest lifetime any connection can have, for the sweep's stopping rule; 0 when unlimited. */
  long minLifetimeNanos() {
    return lifetimeNanos == 0 ? 0 : (long) (lifetimeNanos * (1 - jitter)) - 1;
  }

  /**
   * Idle time a connection may have before eviction: its jittered share of evict-after, capped by what
   * its server advertised ({@code capNanos}, 0 for none), less the hand-out margin. A connection never
   * leased ({@code used} false) gets the never-used share instead: HAProxy gives such a connection only
   * {@code timeout http-request}.
   */
  long idleBudget(double draw, long capNanos, boolean used) {
    long budget = Jitter.shorten(used ? evictAfterNanos : unusedAfterNanos, jitter, draw);
    if (capNanos > 0) {
      budget = Math.min(budget, capNanos);
    }
    return Math.max(0, budget - handoutMarginNanos);
  }

  /** Lifetime deadline of a connection opened at {@code openedAt}, or {@code Long.MAX_VALUE}. */
  long lifetimeDeadline(long openedAt, double draw) {
    return lifetimeNanos == 0 ? Long.MAX_VALUE : openedAt + Jitter.shorten(lifetimeNanos, jitter, draw);
  }
}
