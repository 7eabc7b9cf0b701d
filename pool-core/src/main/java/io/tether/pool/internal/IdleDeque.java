package io.tether.pool.internal;

/**
 * The idle connections that are not in a hot slot, in release order: newest at the head, oldest at the
 * tail. LIFO reuse pops the head, FIFO the tail. Intrusive (links live in the connection) so linking
 * allocates nothing. Guarded by the owning server's lock.
 */
final class IdleDeque {
  private PooledConnection<?> head;
  private PooledConnection<?> tail;
  private int size;

  int size() {
    return size;
  }

  PooledConnection<?> first() {
    return head;
  }

  void addFirst(PooledConnection<?> c) {
    assert !c.inDeque;
    c.inDeque = true;
    c.prevIdle = null;
    c.nextIdle = head;
    if (head != null) {
      head.prevIdle = c;
    } else {
      tail = c;
    }
    head = c;
    size++;
  }

  PooledConnection<?> pollFirst() {
    PooledConnection<?> c = head;
    if (c != null) {
      remove(c);
    }
    return c;
  }

  PooledConnection<?> pollLast() {
    PooledConnection<?> c = tail;
    if (c != null) {
      remove(c);
    }
    return c;
  }

  /** Unlinks {@code c}; returns false if it was not in the deque. */
  boolean remove(PooledConnection<?> c) {
    if (!c.inDeque) {
      return false;
    }
    PooledConnection<?> p = c.prevIdle;
    PooledConnection<?> n = c.nextIdle;
    if (p != null) {
      p.nextIdle = n;
    } else {
      head = n;
    }
    if (n != null) {
      n.prevIdle = p;
    } else {
      tail = p;
    }
    c.prevIdle = null;
    c.nextIdle = null;
    c.inDeque = false;
    size--;
    return true;
  }
}
