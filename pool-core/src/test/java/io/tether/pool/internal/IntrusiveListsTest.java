package io.tether.pool.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The two intrusive lists a server keeps (links in the connection, no allocation): the idle deque
 * (newest at the head; LIFO pops the head, FIFO the tail) and the list of every open connection in
 * opening order, each against a {@link LinkedList} over seeded random operations.
 */
class IntrusiveListsTest {

  private static PooledConnection<Object> conn() {
    return new PooledConnection<>(null, 0, 0);
  }

  private static List<PooledConnection<?>> deque(IdleDeque d) {
    List<PooledConnection<?>> out = new ArrayList<>();
    for (PooledConnection<?> c = d.first(); c != null; c = c.nextIdle) {
      out.add(c);
    }
    return out;
  }

  private static List<PooledConnection<?>> list(ConnectionList l) {
    List<PooledConnection<?>> out = new ArrayList<>();
    for (PooledConnection<?> c = l.first(); c != null; c = c.nextAll) {
      out.add(c);
    }
    return out;
  }

  @Test
  void theIdleDequeKeepsReleaseOrderThroughRandomOperations() {
    for (long seed = 1; seed <= 30; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed);
      IdleDeque d = new IdleDeque();
      LinkedList<PooledConnection<?>> model = new LinkedList<>();
      for (int step = 0; step < 300; step++) {
        int op = rnd.nextInt(4);
        if (op == 0 || model.isEmpty()) {
          PooledConnection<Object> c = conn();
          d.addFirst(c);
          model.addFirst(c);
        } else if (op == 1) {
          assertSame(model.pollFirst(), d.pollFirst(), "seed " + seed);
        } else if (op == 2) {
          assertSame(model.pollLast(), d.pollLast(), "seed " + seed);
        } else {
          PooledConnection<?> c = model.remove(rnd.nextInt(model.size()));
          assertTrue(d.remove(c));
          assertFalse(d.remove(c), "not in it any more");
          assertFalse(c.inDeque);
        }
        assertEquals(model, deque(d), "seed " + seed + " step " + step);
        assertEquals(model.size(), d.size());
      }
    }
    IdleDeque empty = new IdleDeque();
    assertNull(empty.pollFirst());
    assertNull(empty.pollLast());
  }

  @Test
  void theConnectionListKeepsOpeningOrderThroughRandomOperations() {
    for (long seed = 1; seed <= 30; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed);
      ConnectionList l = new ConnectionList();
      LinkedList<PooledConnection<?>> model = new LinkedList<>();
      for (int step = 0; step < 300; step++) {
        if (model.isEmpty() || rnd.nextInt(3) != 0) {
          PooledConnection<Object> c = conn();
          l.add(c);
          model.addLast(c);
        } else {
          PooledConnection<?> c = model.remove(rnd.nextInt(model.size()));
          assertTrue(l.remove(c));
          assertFalse(l.remove(c), "not in it any more");
        }
        assertEquals(model, list(l), "seed " + seed + " step " + step);
        assertEquals(model.size(), l.size());
      }
    }
  }
}
