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
    assertEquals(1, new HotSlots(1).count());
    assertEquals(2, new HotSlots(2).count());
    assertEquals(4, new HotSlots(3).count());
    assertEquals(8, new HotSlots(8).count());
    assertEquals(16, new HotSlots(9).count());
    assertEquals(16, new HotSlots(16).count());
    assertEquals(16, new HotSlots(17).count());
    assertEquals(16, new HotSlots(Integer.MAX_VALUE).count());
  }

  @Test
  void aThreadAlwaysGetsTheSameStripeWithinTheCount() throws Exception {
    HotSlots slots = new HotSlots(64);
    int mine = slots.stripe();
    assertEquals(mine, slots.stripe());
    assertEquals((int) (Thread.currentThread().getId() & 15), mine);
    int[] other = new int[1];
    Thread t = new Thread(() -> other[0] = slots.stripe());
    t.start();
    t.join();
    assertEquals((int) (t.getId() & 15), other[0]);
    assertEquals(0, new HotSlots(1).stripe(), "one stripe: everyone shares it");
  }

  @Test
  void eachSlotIsClaimedTakenAndSwappedOnItsOwn() {
    HotSlots slots = new HotSlots(16);
    PooledConnection<Object> a = conn();
    PooledConnection<Object> b = conn();
    PooledConnection<Object> c = conn();
    for (int i = 0; i < 16; i++) {
      assertNull(slots.get(i));
    }
    assertTrue(slots.offer(1, a));
    assertTrue(slots.offer(2, b), "slot 2 is not slot 1");
    assertFalse(slots.offer(1, c), "slot 1 is taken");
    assertSame(a, slots.get(1));
    assertSame(b, slots.get(2));
    assertFalse(slots.take(1, b), "only what is there can be taken");
    assertTrue(slots.take(1, a));
    assertNull(slots.get(1));
    assertSame(b, slots.swap(2, c));
    assertSame(c, slots.get(2));
    assertNull(slots.swap(15, a), "the last slot");
    assertSame(a, slots.get(15));
    assertNull(slots.get(14));
  }
}
