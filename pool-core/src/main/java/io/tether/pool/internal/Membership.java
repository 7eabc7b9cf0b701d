package io.tether.pool.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pool's servers, as a copy-on-write array the lease path reads with one volatile load and no lock,
 * plus a name index. Adding or removing a server publishes a new array; changes are serialized on this
 * object, and cost O(servers) to copy, never a lock on the lease path.
 */
final class Membership<C> {
  private volatile ServerPool<C>[] servers;
  private final Map<String, ServerPool<C>> byName = new ConcurrentHashMap<>();

  @SuppressWarnings("unchecked")
  Membership() {
    this.servers = new ServerPool[0];
  }

  /** The current servers; the array is never modified after it is published. */
  ServerPool<C>[] all() {
    return servers;
  }

  /** An idle connection of any server in the rotation, leased; null if none is ready. */
  PooledConnection<C> pollAnyIdle(long now) {
    ServerPool<C>[] all = servers;
    if (all.length <= 1) {
      ServerPool<C> sp = all.length == 0 ? null : all[0]; // none: a dynamic pool before its first server
      return sp != null && sp.balanced ? sp.pollIdle(now) : null;
    }
    // The thread's own server and stripe first: where its last release went, so a thread that leases
    // and releases finds its connection in one probe however many servers there are. The scan is a
    // method of its own so that this path stays small enough to inline, and the lease handle the
    // caller makes can be scalar-replaced (with 1,000 servers and the scan inline it was not: 24 B/op).
    int start = (int) ((Thread.currentThread().getId() & Integer.MAX_VALUE) % all.length);
    ServerPool<C> own = all[start];
    if (own.balanced) {
      PooledConnection<C> c = own.pollOwnStripe(now);
      if (c != null) {
        return c;
      }
    }
    return scanIdle(all, start, now);
  }

  /** Every server's own stripe, then every server's whole idle set, from {@code start}. */
  private PooledConnection<C> scanIdle(ServerPool<C>[] all, int start, long now) {
    // Two passes so that many servers cost one slot probe each before any full scan.
    for (int k = 1; k < all.length; k++) {
      ServerPool<C> sp = all[(start + k) % all.length];
      if (sp.balanced) {
        PooledConnection<C> c = sp.pollOwnStripe(now);
        if (c != null) {
          return c;
        }
      }
    }
    for (int k = 0; k < all.length; k++) {
      ServerPool<C> sp = all[(start + k) % all.length];
      if (sp.balanced) {
        PooledConnection<C> c = sp.pollIdle(now);
        if (c != null) {
          return c;
        }
      }
    }
    return null;
  }

  /**
   * Whether the pool has no server at all: a dynamic pool before its first, or after its last left.
   * Not the same as none up: an acquire then waits for a server instead of failing.
   */
  boolean isEmpty() {
    return servers.length == 0;
  }

  ServerPool<C> get(String name) {
    return byName.get(name);
  }

  /** Adds servers with one copy of the array, however many they are. */
  synchronized void addAll(List<ServerPool<C>> sps) {
    for (ServerPool<C> sp : sps) {
      if (byName.containsKey(sp.endpoint.name())) {
        throw new IllegalArgumentException("a server named " + sp.endpoint.name() + " is already in the pool");
      }
    }
    ServerPool<C>[] next = Arrays.copyOf(servers, servers.length + sps.size());
    int i = servers.length;
    for (ServerPool<C> sp : sps) {
      byName.put(sp.endpoint.name(), sp);
      next[i++] = sp;
    }
    servers = next;
  }

  /** Drops those of {@code gone} still in the pool, with one copy of the array; returns those it dropped. */
  synchronized java.util.Set<ServerPool<C>> dropAll(java.util.Set<ServerPool<C>> gone) {
    java.util.Set<ServerPool<C>> dropped = new java.util.HashSet<>();
    for (ServerPool<C> sp : gone) {
      if (byName.remove(sp.endpoint.name(), sp)) {
        dropped.add(sp);
      }
    }
    if (dropped.isEmpty()) {
      return dropped;
    }
    List<ServerPool<C>> keep = new ArrayList<>();
    for (ServerPool<C> s : servers) {
      if (!dropped.contains(s)) {
        keep.add(s);
      }
    }
    servers = keep.toArray(Arrays.copyOf(servers, 0));
    return dropped;
  }

  /** Drops {@code sp} from the array and the index; false if it was not there (dropped already). */
  synchronized boolean drop(ServerPool<C> sp) {
    if (!byName.remove(sp.endpoint.name(), sp)) {
      return false;
    }
    List<ServerPool<C>> keep = new ArrayList<>();
    for (ServerPool<C> s : servers) {
      if (s != sp) {
        keep.add(s);
      }
    }
    servers = keep.toArray(Arrays.copyOf(servers, 0));
    return true;
  }
}
