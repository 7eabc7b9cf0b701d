package io.tether.pool.internal;

import java.util.Arrays;

/**
 * The deque's connections ordered by idle deadline, so a sweep finds the expired ones in O(expired x log
 * n) instead of scanning the pool, and knows exactly when the next one is due. A binary min-heap over
 * an array; each connection remembers its index so removal from the middle is O(log n). Guarded by the
 * owning server's lock.
 */
final class DeadlineHeap {
  private PooledConnection<?>[] heap = new PooledConnection<?>[16];
  private int size;

  int size() {
    return size;
  }

  /** The connection with the earliest deadline, or null. */
  PooledConnection<?> peek() {
    return size == 0 ? null : heap[0];
  }

  void add(PooledConnection<?> c) {
    assert c.heapIndex < 0;
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    heap[size] = c;
    c.heapIndex = size;
    size++;
    siftUp(c.heapIndex);
  }

  /** Removes {@code c}; returns false if it was not in the heap. */
  boolean remove(PooledConnection<?> c) {
    int i = c.heapIndex;
    if (i < 0) {
      return false;
    }
    size--;
    PooledConnection<?> last = heap[size];
    heap[size] = null;
    c.heapIndex = -1;
    if (i != size) {
      heap[i] = last;
      last.heapIndex = i;
      siftDown(i);
      siftUp(last.heapIndex);
    }
    return true;
  }

  private void siftUp(int i) {
    PooledConnection<?> c = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      PooledConnection<?> p = heap[parent];
      if (p.evictAt <= c.evictAt) {
        break;
      }
      heap[i] = p;
      p.heapIndex = i;
      i = parent;
    }
    heap[i] = c;
    c.heapIndex = i;
  }

  private void siftDown(int i) {
    PooledConnection<?> c = heap[i];
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      int right = child + 1;
      if (right < size && heap[right].evictAt < heap[child].evictAt) {
        child = right;
      }
      if (c.evictAt <= heap[child].evictAt) {
        break;
      }
      heap[i] = heap[child];
      heap[i].heapIndex = i;
      i = child;
    }
    heap[i] = c;
    c.heapIndex = i;
  }
}
