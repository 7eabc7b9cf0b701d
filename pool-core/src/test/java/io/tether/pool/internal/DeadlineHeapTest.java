package io.tether.pool.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The idle deadline heap against a sorted list, over seeded random adds and removals from anywhere: the
 * earliest deadline is always on top, every index a connection remembers is its place, and popping
 * everything gives the deadlines in order. A failure names its seed.
 */
class DeadlineHeapTest {

  private static PooledConnection<Object> conn(long evictAt) {
    PooledConnection<Object> c = new PooledConnection<>(null, 0, 0);
    c.evictAt = evictAt;
    return c;
  }

  @Test
  void theEarliestDeadlineIsOnTopThroughRandomAddsAndRemovals() {
    for (long seed = 1; seed <= 50; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed);
      DeadlineHeap heap = new DeadlineHeap();
      List<PooledConnection<Object>> in = new ArrayList<>();
      for (int step = 0; step < 400; step++) {
        if (in.isEmpty() || rnd.nextInt(3) != 0) {
          // ties on purpose: deadlines from a small range
          PooledConnection<Object> c = conn(rnd.nextInt(60));
          heap.add(c);
          in.add(c);
        } else {
          PooledConnection<Object> c = in.remove(rnd.nextInt(in.size()));
          assertTrue(heap.remove(c), "seed " + seed);
          assertEquals(-1, c.heapIndex, "seed " + seed);
          assertFalse(heap.remove(c), "a second removal finds nothing; seed " + seed);
        }
        assertEquals(in.size(), heap.size(), "seed " + seed);
        long min = in.stream().mapToLong(c -> c.evictAt).min().orElse(Long.MAX_VALUE);
        PooledConnection<?> top = heap.peek();
        assertEquals(min, top == null ? Long.MAX_VALUE : top.evictAt, "seed " + seed + " step " + step);
      }
      List<Long> popped = new ArrayList<>();
      while (heap.peek() != null) {
        PooledConnection<?> c = heap.peek();
        popped.add(c.evictAt);
        assertTrue(heap.remove(c));
      }
      in.sort(Comparator.comparingLong(c -> c.evictAt));
      assertEquals(in.stream().map(c -> c.evictAt).toList(), popped, "seed " + seed);
    }
  }

  @Test
  void removingFromTheMiddleMovesTheLastEntryUpOrDownAsItsDeadlineNeeds() {
    DeadlineHeap heap = new DeadlineHeap();
    // a heap whose last entry is smaller than the removed one's parent: it must move up, not down
    PooledConnection<Object> root = conn(1);
    PooledConnection<Object> left = conn(50);
    PooledConnection<Object> right = conn(2);
    PooledConnection<Object> leftLeft = conn(60);
    PooledConnection<Object> leftRight = conn(70);
    PooledConnection<Object> rightLeft = conn(3);
    for (PooledConnection<Object> c : List.of(root, left, right, leftLeft, leftRight, rightLeft)) {
      heap.add(c);
    }
    assertTrue(heap.remove(leftLeft)); // rightLeft (3) takes its place under left (50) and must rise
    assertEquals(List.of(), violations(heap, List.of(root, left, right, leftRight, rightLeft)));
    assertTrue(heap.remove(root));
    assertSame(right, heap.peek());
    assertTrue(heap.remove(right));
    assertSame(rightLeft, heap.peek());
  }

  @Test
  void itGrowsPastItsFirstArray() {
    DeadlineHeap heap = new DeadlineHeap();
    for (int i = 100; i > 0; i--) {
      heap.add(conn(i));
    }
    assertEquals(100, heap.size());
    for (int i = 1; i <= 100; i++) {
      PooledConnection<?> c = heap.peek();
      assertEquals(i, c.evictAt);
      heap.remove(c);
    }
    assertNull(heap.peek());
  }

  /** Entries whose parent has a later deadline. */
  private static List<String> violations(DeadlineHeap heap, List<PooledConnection<Object>> all) {
    List<String> out = new ArrayList<>();
    for (PooledConnection<Object> c : all) {
      for (PooledConnection<Object> p : all) {
        if (c.heapIndex > 0 && p.heapIndex == (c.heapIndex - 1) / 2 && p.evictAt > c.evictAt) {
          out.add(p.evictAt + " above " + c.evictAt);
        }
      }
    }
    return out;
  }
}
