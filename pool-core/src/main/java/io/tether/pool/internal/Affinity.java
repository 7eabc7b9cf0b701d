package io.tether.pool.internal;

import io.tether.pool.ServerState;

/**
 * HAProxy's {@code prefer-last-server} on the client side: per session key, the server and the
 * connection it used last ({@link AffinityTable}); a key whose server is not up is re-pinned by the
 * balancer, once per failure. Keys unused for {@code affinity.idle-timeout} are forgotten by a task that
 * runs only while keys are remembered.
 */
final class Affinity<C> {
  private final PoolEngine<C> engine;
  final AffinityTable<C> table;
  private volatile boolean sweepScheduled;

  Affinity(PoolEngine<C> engine, int maxKeys, long idleNanos) {
    this.engine = engine;
    this.table = new AffinityTable<>(maxKeys, idleNanos);
  }

  /**
   * The idle connection {@code key} used last, or another idle one to its server. No lock and no
   * allocation when the key's connection is idle in a hot slot.
   */
  PooledConnection<C> pinnedIdle(Object key, long now) {
    AffinityTable.Pin<C> p = table.get(key);
    if (p == null) {
      return null;
    }
    ServerPool<C> sp = p.server;
    if (sp.state != ServerState.UP) {
      return null;
    }
    p.lastUsed = now;
    PooledConnection<C> last = p.last;
    if (last != null && last.server == sp && sp.claim(last)) {
      if (engine.usable(last, now)) {
        return last;
      }
      engine.closing.discardLeased(last, now);
    }
    PooledConnection<C> c = sp.pollIdle(now);
    if (c != null) {
      p.last = c;
    }
    return c;
  }

  /** The server {@code key} is pinned to if it is up, else a newly chosen one it is pinned to now. */
  ServerPool<C> pinnedServer(Object key, ServerPool<C> avoid) {
    AffinityTable.Pin<C> p = table.get(key);
    if (p != null && p.server.state == ServerState.UP && p.server != avoid) {
      return p.server;
    }
    ServerPool<C>[] all = engine.members.all();
    ServerPool<C> sp = engine.balancer.pickForPin(all, avoid);
    if (sp == null && avoid != null) {
      sp = engine.balancer.pickForPin(all, null);
    }
    if (sp == null) {
      return null;
    }
    pin(key, sp);
    return sp;
  }

  private AffinityTable.Pin<C> pin(Object key, ServerPool<C> sp) {
    AffinityTable.Pin<C> p = table.pin(key, sp, engine.ticker.read());
    if (!sweepScheduled) {
      sweepScheduled = true;
      scheduleSweep();
    }
    return p;
  }

  /**
   * A waiting keyed acquire was served with {@code c}: the key's last connection. A key with no pin
   * waited for the pool's first server, and is pinned to the one that served it.
   */
  void served(Object key, PooledConnection<C> c) {
    AffinityTable.Pin<C> p = table.get(key);
    if (p == null) {
      p = pin(key, c.server);
    }
    if (p.server == c.server) {
      p.last = c;
    }
  }

  private void scheduleSweep() {
    long half = engine.config.affinityIdleTimeout().toNanos() / 2;
    engine.tasks.schedule(this::forgetIdleKeys, half, false, rejected -> sweepScheduled = false);
  }

  private void forgetIdleKeys() {
    int left = table.forgetIdle(engine.ticker.read());
    if (left > 0 && !engine.isClosed()) {
      scheduleSweep();
    } else {
      sweepScheduled = false;
    }
  }

  int size() {
    return table.size();
  }
}
