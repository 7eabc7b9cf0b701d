package io.tether.pool.internal;

import io.tether.pool.PoolConfig;
import io.tether.pool.internal.config.Key;
import io.tether.pool.internal.config.Keys;
import io.tether.pool.spi.HealthProbe;

/**
 * A new configuration on a live pool ({@code ConnectionPool.reconfigure}): only the keys declared live
 * may change; eviction deadlines are recomputed for every connection, health settings reach the
 * checkers, and the sweep is moved earlier if a deadline is.
 */
final class Reconfiguration {
  private Reconfiguration() {}

  /** Applies {@code next}; the caller holds the engine's monitor and has checked the pool is open. */
  static <C> void apply(PoolEngine<C> engine, PoolConfig next, HealthProbe probe) {
    // Which keys may change live is part of each key's declaration (Keys); servers change through
    // membership, not here.
    for (String key : engine.config.differences(next)) {
      Key<?> k = key.startsWith(PoolConfig.PREFIX)
          ? Keys.find(key.substring(PoolConfig.PREFIX.length())) : null;
      boolean live = k != null ? k.live() : key.endsWith("check.http-header.*");
      if (!live) {
        throw new IllegalArgumentException(key + " cannot change on a live pool (" + engine.config.describe(key) + " -> "
            + next.describe(key) + "); only eviction and health settings can: build a new pool for the rest");
      }
    }
    if (next.healthCheck().enabled() && probe == null) {
      throw new IllegalStateException("pool " + engine.name + " was built without a HealthProbe: checks cannot be turned on");
    }
    engine.config = next;
    Deadlines d = Deadlines.of(next);
    engine.deadlines = d;
    long earliest = Long.MAX_VALUE;
    for (ServerPool<C> sp : engine.members.all()) {
      earliest = Math.min(earliest, ServerSweeps.reconfigure(sp, d));
    }
    engine.states.configure(next.onMarkedDown(), next.onMarkedUp(), next.observe(), next.errorLimit());
    engine.states.reconfigureCheckers(next.healthCheck(), probe);
    if (earliest != Long.MAX_VALUE) {
      engine.maintenance.requestSweep(earliest);
    }
  }
}
