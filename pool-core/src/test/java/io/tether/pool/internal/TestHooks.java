package io.tether.pool.internal;

import io.tether.pool.ConnectionPool;
import java.util.List;

/**
 * The engine's test hooks, reachable from other test packages: the engine keeps them package-private so
 * that no application can call them.
 */
public final class TestHooks {
  private TestHooks() {}

  private static PoolEngine<?> engine(ConnectionPool<?> pool) {
    return (PoolEngine<?>) pool;
  }

  /** Runs maintenance as of {@code now}; returns the delay until the next deadline. */
  public static long maintain(ConnectionPool<?> pool, long now) {
    return engine(pool).maintain(now);
  }

  /** Every invariant violated right now; empty if none. */
  public static List<String> checkInvariants(ConnectionPool<?> pool) {
    return engine(pool).checkInvariants();
  }

  /** Timed tasks the pool owns that have not run or been cancelled. */
  public static int scheduledTasks(ConnectionPool<?> pool) {
    return engine(pool).tasks.size();
  }

  /** The pool-wide count the connection limit is enforced on. */
  public static int reservedConnections(ConnectionPool<?> pool) {
    return engine(pool).connects.reserved();
  }

  /** Affinity keys remembered. */
  public static int affinityKeys(ConnectionPool<?> pool) {
    return engine(pool).affinity.size();
  }

  /** Connects in flight that no acquire waits on. */
  public static int orphanedConnects(ConnectionPool<?> pool) {
    return engine(pool).waiting.queue.orphans();
  }

  /** One rebalancing step now, whatever the schedule; true while the servers are still out of balance. */
  public static boolean rebalanceStep(ConnectionPool<?> pool) {
    return engine(pool).rebalancer.rebalance();
  }
}
