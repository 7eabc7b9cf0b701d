package io.tether.pool.internal;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which server, and which connection, each affinity key used last: HAProxy's {@code prefer-last-server}
 * for the client side. Bounded: past {@code maxKeys} the least recently used of a sample are dropped, and
 * keys unused for {@code idleNanos} are forgotten by {@link #forgetIdle}. Thread-safe.
 */
final class AffinityTable<C> {
  private static final int EVICTION_SAMPLE = 16;

  /** A key's pin. Fields are hints read and written without locks: every use re-checks them. */
  static final class Pin<C> {
    volatile ServerPool<C> server;
    PooledConnection<C> last;
    long lastUsed;

    Pin(ServerPool<C> server, long now) {
      this.server = server;
      this.lastUsed = now;
    }
  }

  private final ConcurrentHashMap<Object, Pin<C>> pins = new ConcurrentHashMap<>();
  private final int maxKeys;
  private final long idleNanos;

  AffinityTable(int maxKeys, long idleNanos) {
    this.maxKeys = maxKeys;
    this.idleNanos = idleNanos;
  }

  Pin<C> get(Object key) {
    return pins.get(key);
  }

  /** Pins {@code key} to {@code server}, creating the pin if needed; returns it. */
  Pin<C> pin(Object key, ServerPool<C> server, long now) {
    Pin<C> p = pins.get(key);
    if (p != null) {
      p.server = server;
      p.last = null;
      p.lastUsed = now;
      return p;
    }
    p = pins.computeIfAbsent(key, k -> new Pin<>(server, now));
    p.server = server;
    if (pins.size() > maxKeys) {
      evictOne(key);
    }
    return p;
  }

  private void evictOne(Object keep) {
    Object oldestKey = null;
    long oldest = Long.MAX_VALUE;
    Iterator<Map.Entry<Object, Pin<C>>> it = pins.entrySet().iterator();
    for (int i = 0; i < EVICTION_SAMPLE && it.hasNext(); i++) {
      Map.Entry<Object, Pin<C>> e = it.next();
      if (!e.getKey().equals(keep) && e.getValue().lastUsed < oldest) {
        oldest = e.getValue().lastUsed;
        oldestKey = e.getKey();
      }
    }
    if (oldestKey != null) {
      pins.remove(oldestKey);
    }
  }

  /** Forgets keys unused since {@code now - idleNanos}; returns how many remain. */
  int forgetIdle(long now) {
    pins.values().removeIf(p -> now - p.lastUsed >= idleNanos);
    return pins.size();
  }

  int size() {
    return pins.size();
  }
}
