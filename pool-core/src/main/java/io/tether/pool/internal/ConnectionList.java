package io.tether.pool.internal;

/**
 * Every open connection of a server, in creation order: the oldest at the head. Lifetime expiry walks
 * it from the head and stops once no later connection can have expired, and stats count states over it.
 * Intrusive, guarded by the owning server's lock.
 */
final class ConnectionList {
  private PooledConnection<?> head;
  private PooledConnection<?> tail;
  private int size;

  int size() {
    return size;
  }

  PooledConnection<?> first() {
    return head;
  }

  void add(PooledConnection<?> c) {
    assert !c.inList;
    c.inList = true;
    c.prevAll = tail;
    c.nextAll = null;
    if (tail != null) {
      tail.nextAll = c;
    } else {
      head = c;
    }
    tail = c;
    size++;
  }

  boolean remove(PooledConnection<?> c) {
    if (!c.inList) {
      return false;
    }
    PooledConnection<?> p = c.prevAll;
    PooledConnection<?> n = c.nextAll;
    if (p != null) {
      p.nextAll = n;
    } else {
      head = n;
    }
    if (n != null) {
      n.prevAll = p;
    } else {
      tail = p;
    }
    c.prevAll = null;
    c.nextAll = null;
    c.inList = false;
    size--;
    return true;
  }
}
