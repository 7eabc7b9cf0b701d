package io.tether.pool.internal;

import io.tether.pool.Balance;

/**
 * Chooses the server for a new connection among those in the rotation (up, weight above 0, of the
 * active priority: see {@link ServerStates#rotation}) and below their limit. Thread-safe.
 */
final class Balancer {
  private final Balance algorithm;
  private final int[] currentWeight;
  private int cursor;

  Balancer(Balance algorithm, int servers) {
    this.algorithm = algorithm;
    this.currentWeight = new int[servers];
  }

  /** The chosen server, or null if none is up with room; {@code exclude} (may be null) is skipped. */
  synchronized <C> ServerPool<C> pick(ServerPool<C>[] servers, ServerPool<C> exclude) {
    return algorithm == Balance.LEASTCONN ? leastConn(servers, exclude, true) : roundRobin(servers, exclude, true);
  }

  /** The server to pin a new affinity key to: up, room or not (the key then waits for that server). */
  synchronized <C> ServerPool<C> pickForPin(ServerPool<C>[] servers, ServerPool<C> exclude) {
    return algorithm == Balance.LEASTCONN ? leastConn(servers, exclude, false) : roundRobin(servers, exclude, false);
  }

  private <C> ServerPool<C> leastConn(ServerPool<C>[] servers, ServerPool<C> exclude, boolean needRoom) {
    ServerPool<C> best = null;
    int n = servers.length;
    int start = cursor++ & Integer.MAX_VALUE;
    for (int k = 0; k < n; k++) {
      ServerPool<C> s = servers[(start + k) % n];
      if (!eligible(s, exclude, needRoom)) {
        continue;
      }
      // (total + 1) / weight, compared without division: ties go to the rotating start.
      if (best == null
          || (long) (s.total + 1) * best.endpoint.weight()
              < (long) (best.total + 1) * s.endpoint.weight()) {
        best = s;
      }
    }
    return best;
  }

  private <C> ServerPool<C> roundRobin(ServerPool<C>[] servers, ServerPool<C> exclude, boolean needRoom) {
    int totalWeight = 0;
    ServerPool<C> best = null;
    for (ServerPool<C> s : servers) {
      if (!eligible(s, exclude, needRoom)) {
        continue;
      }
      int w = s.endpoint.weight();
      currentWeight[s.index] += w;
      totalWeight += w;
      if (best == null || currentWeight[s.index] > currentWeight[best.index]) {
        best = s;
      }
    }
    if (best != null) {
      currentWeight[best.index] -= totalWeight;
    }
    return best;
  }

  private static boolean eligible(ServerPool<?> s, ServerPool<?> exclude, boolean needRoom) {
    return s != exclude && s.balanced && (!needRoom || s.total < s.maxConnections);
  }
}
