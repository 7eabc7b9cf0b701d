package io.tether.pool.internal;

import io.tether.pool.Balance;
import java.util.function.ToIntFunction;

/**
 * Chooses the server for a new connection among those in the rotation (up, weight above 0, of the
 * active priority: see {@link ServerStates}) and below their limit, by each server's current weight
 * (its configured weight, or less while it warms up after joining). Thread-safe.
 */
final class Balancer {
  private final Balance algorithm;
  private final ToIntFunction<ServerPool<?>> weight;
  private int cursor;

  Balancer(Balance algorithm, ToIntFunction<ServerPool<?>> weight) {
    this.algorithm = algorithm;
    this.weight = weight;
  }

  /** The chosen server, or null if none is in the rotation with room; {@code exclude} (may be null) is skipped. */
  synchronized <C> ServerPool<C> pick(ServerPool<C>[] servers, ServerPool<C> exclude) {
    return algorithm == Balance.LEASTCONN ? leastConn(servers, exclude, true) : roundRobin(servers, exclude, true);
  }

  /** The server to pin a new affinity key to: in the rotation, room or not (the key then waits for it). */
  synchronized <C> ServerPool<C> pickForPin(ServerPool<C>[] servers, ServerPool<C> exclude) {
    return algorithm == Balance.LEASTCONN ? leastConn(servers, exclude, false) : roundRobin(servers, exclude, false);
  }

  private <C> ServerPool<C> leastConn(ServerPool<C>[] servers, ServerPool<C> exclude, boolean needRoom) {
    ServerPool<C> best = null;
    int bestWeight = 0;
    int n = servers.length;
    int start = n == 0 ? 0 : (cursor++ & Integer.MAX_VALUE) % n;
    for (int k = 0; k < n; k++) {
      ServerPool<C> s = servers[(start + k) % n];
      int w = eligible(s, exclude, needRoom) ? weight.applyAsInt(s) : 0;
      if (w <= 0) {
        continue;
      }
      // (total + 1) / weight, compared without division: ties go to the rotating start.
      if (best == null || (long) (s.total + 1) * bestWeight < (long) (best.total + 1) * w) {
        best = s;
        bestWeight = w;
      }
    }
    return best;
  }

  /** Smooth weighted round robin (each pick adds every weight, takes the largest, subtracts the total). */
  private <C> ServerPool<C> roundRobin(ServerPool<C>[] servers, ServerPool<C> exclude, boolean needRoom) {
    int totalWeight = 0;
    ServerPool<C> best = null;
    for (ServerPool<C> s : servers) {
      int w = eligible(s, exclude, needRoom) ? weight.applyAsInt(s) : 0;
      if (w <= 0) {
        continue;
      }
      s.currentWeight += w;
      totalWeight += w;
      if (best == null || s.currentWeight > best.currentWeight) {
        best = s;
      }
    }
    if (best != null) {
      best.currentWeight -= totalWeight;
    }
    return best;
  }

  private static boolean eligible(ServerPool<?> s, ServerPool<?> exclude, boolean needRoom) {
    return s != exclude && s.balanced && (!needRoom || s.total < s.maxConnections);
  }
}
