package io.tether.pool.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The lock-free front of a server's idle set: how many stripes, and each slot's claim, take and swap. */
class HotSlotsTest {

  private static PooledConnection<Object> conn() {
    return new PooledConnection<>(null, 0, 0);
  }

  @Test
  void stripesArePowersOfTwoUpToSixteenAndNeverMoreThanConnectionsNeed() {
    assertEquals(1, HotSlots.count(HotSlots.create(1)));
    assertEquals(2, HotSlots.count(HotSlots.create(2)));
    assertEquals(4, HotSlots.count(HotSlots.create(3)));
    assertEquals(8, HotSlots.count(HotSlots.create(8)));
    assertEquals(16, HotSlots.count(HotSlots.create(9)));
    assertEquals(16, HotSlots.count(HotSlots.create(16)));
    assertEquals(16, HotSlots.count(HotSlots.create(17)));
    assertEquals(16, HotSlots.count(HotSlots.create(Integer.MAX_VALUE)));
  }

  @Test
  void aThreadAlwaysGetsTheSameStripeWithinTheCount() throws Exception {
    PooledConnection<?>[] slots = HotSlots.create(64);
    int mine = HotSlots.stripe(slots);
    assertEquals(mine, HotSlots.stripe(slots));
    assertEquals((int) (Thread.currentThread().getId() & 15), mine);
    int[] other = new int[1];
    Thread t = new Thread(() -> other[0] = HotSlots.stripe(slots));
    t.start();
    t.join();
    assertEquals((int) (t.getId() & 15), other[0]);
    assertEquals(0, HotSlots.stripe(HotSlots.create(1)), "one stripe: everyone shares it");
  }

  @Test
  void eachSlotIsClaimedTakenAndSwappedOnItsOwn() {
    PooledConnection<?>[] slots = HotSlots.create(16);
    PooledConnection<Object> a = conn();
    PooledConnection<Object> b = conn();
    PooledConnection<Object> c = conn();
    for (int i = 0; i < 16; i++) {
      assertNull(HotSlots.get(slots, i));
    }
    assertTrue(HotSlots.offer(slots, 1, a));
    assertTrue(HotSlots.offer(slots, 2, b), "slot 2 is not slot 1");
    assertFalse(HotSlots.offer(slots, 1, c), "slot 1 is taken");
    assertSame(a, HotSlots.get(slots, 1));
    assertSame(b, HotSlots.get(slots, 2));
    assertFalse(HotSlots.take(slots, 1, b), "only what is there can be taken");
    assertTrue(HotSlots.take(slots, 1, a));
    assertNull(HotSlots.get(slots, 1));
    assertSame(b, HotSlots.swap(slots, 2, c));
    assertSame(c, HotSlots.get(slots, 2));
    assertNull(HotSlots.swap(slots, 15, a), "the last slot");
    assertSame(a, HotSlots.get(slots, 15));
    assertNull(HotSlots.get(slots, 14));
  }
}
