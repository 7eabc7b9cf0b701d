package io.tether.pool.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.Lease;
import io.tether.pool.PoolConfig;
import io.tether.pool.ReuseOrder;
import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.TestPool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where a released connection goes, step by step, with two real threads taking turns (never at the same
 * time, so every step is deterministic): into the releasing thread's hot slot; an older one the slot
 * held into the deque; one leased from another thread's slot into the releaser's own slot when that is
 * free. The state words and slot indexes are read directly (same package), since this is the protocol
 * under test. Races between the steps are the fuzzer's and jcstress's job.
 */
@Timeout(30)
class HotSlotProtocolTest {
  /** A second thread whose stripe differs from this one's (thread ids are sequential: two tries at most). */
  private final ExecutorService other = Executors.newSingleThreadExecutor(r -> {
    long mine = Thread.currentThread().getId() & 15;
    Thread t = new Thread(r, "hot-slot-other");
    while ((t.getId() & 15) == mine) {
      t = new Thread(r, "hot-slot-other");
    }
    return t;
  });

  @AfterEach
  void stop() throws InterruptedException {
    other.shutdownNow();
    assertTrue(other.awaitTermination(5, TimeUnit.SECONDS));
  }

  private <T> T onOther(Callable<T> task) throws Exception {
    return other.submit(task).get(5, TimeUnit.SECONDS);
  }

  private static PooledConnection<?> pooled(Lease<Conn> lease) {
    return ((LeaseHandle<?>) lease).c;
  }

  private static ServerPool<?> server(TestPool t) {
    return ((PoolEngine<?>) t.pool).members.all()[0];
  }

  private static TestPool pool(ReuseOrder order) {
    return new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)).reuseOrder(order));
  }

  private int otherStripe(ServerPool<?> sp) throws Exception {
    return onOther(() -> HotSlots.stripe(sp.hot));
  }

  @Test
  void aReleaseGoesIntoTheReleasingThreadsSlotAndPushesTheOlderOneToTheDeque() {
    TestPool t = pool(ReuseOrder.LIFO);
    ServerPool<?> sp = server(t);
    int mine = HotSlots.stripe(sp.hot);
    Lease<Conn> a = t.lease();
    Lease<Conn> b = t.lease();
    PooledConnection<?> pa = pooled(a);
    PooledConnection<?> pb = pooled(b);
    a.release();
    assertEquals(mine, pa.slot);
    assertSame(pa, HotSlots.get(sp.hot, mine));
    assertEquals(PooledConnection.IDLE, pa.state());
    b.release();
    assertSame(pb, HotSlots.get(sp.hot, mine), "the newest takes the slot");
    assertEquals(-1, pa.slot);
    assertTrue(pa.inDeque && pa.heapIndex >= 0, "the older one went to the deque and the deadline heap");
    assertEquals(1, sp.deque.size());
    // leasing again: the slot's first, then the deque's
    Lease<Conn> again = t.pool.tryAcquire();
    assertSame(pb, pooled(again));
    assertEquals(PooledConnection.LEASED_HOT, pb.state(), "leased in place: the slot keeps pointing at it");
    assertSame(pb, HotSlots.get(sp.hot, mine));
    Lease<Conn> next = t.pool.tryAcquire();
    assertSame(pa, pooled(next));
    assertEquals(PooledConnection.LEASED, pa.state());
    assertFalse(pa.inDeque);
    assertEquals(List.of(), TestHooks.checkInvariants(t.pool));
    again.release();
    next.release();
  }

  @Test
  void aConnectionLeasedFromAnotherThreadsSlotMovesIntoTheReleasersFreeSlot() throws Exception {
    TestPool t = pool(ReuseOrder.LIFO);
    ServerPool<?> sp = server(t);
    int mine = HotSlots.stripe(sp.hot);
    int theirs = otherStripe(sp);
    assertNotEquals(mine, theirs);
    PooledConnection<?> c = onOther(() -> {
      Lease<Conn> l = t.lease();
      l.release();
      return pooled(l);
    });
    assertSame(c, HotSlots.get(sp.hot, theirs), "released into the other thread's slot");
    Lease<Conn> here = t.pool.tryAcquire();
    assertSame(c, pooled(here), "found by the scan in the other slot");
    assertEquals(PooledConnection.LEASED_HOT, c.state());
    here.release();
    assertSame(c, HotSlots.get(sp.hot, mine), "adopted into this thread's slot");
    assertEquals(mine, c.slot);
    assertSame(null, HotSlots.get(sp.hot, theirs), "and gone from the other");
    assertEquals(List.of(), TestHooks.checkInvariants(t.pool));
  }

  @Test
  void aConnectionFromAnotherSlotStaysThereWhenTheReleasersSlotIsTaken() throws Exception {
    TestPool t = pool(ReuseOrder.LIFO);
    ServerPool<?> sp = server(t);
    int mine = HotSlots.stripe(sp.hot);
    int theirs = otherStripe(sp);
    assertNotEquals(mine, theirs);
    Lease<Conn> own = t.lease();
    PooledConnection<?> c = onOther(() -> {
      Lease<Conn> l = t.lease();
      l.release();
      return pooled(l);
    });
    own.release(); // this thread's slot is taken by its own connection
    Lease<Conn> first = t.pool.tryAcquire();
    assertSame(pooled(own), pooled(first), "this thread's own slot first");
    Lease<Conn> second = t.pool.tryAcquire();
    assertSame(c, pooled(second), "then the other slot");
    second.release();
    assertSame(c, HotSlots.get(sp.hot, theirs), "its slot stays, since this thread's is still taken by a lease");
    assertEquals(PooledConnection.IDLE, c.state());
    first.release();
    assertEquals(List.of(), TestHooks.checkInvariants(t.pool));
  }

  @Test
  void fifoUsesNoSlotAndHandsOutTheOldestRelease() {
    TestPool t = pool(ReuseOrder.FIFO);
    ServerPool<?> sp = server(t);
    Lease<Conn> a = t.lease();
    Lease<Conn> b = t.lease();
    a.release();
    b.release();
    assertEquals(-1, pooled(a).slot);
    assertEquals(2, sp.deque.size());
    assertSame(pooled(a), pooled(t.pool.tryAcquire()), "the oldest release first");
    assertSame(pooled(b), pooled(t.pool.tryAcquire()));
    for (int i = 0; i < HotSlots.count(sp.hot); i++) {
      assertSame(null, HotSlots.get(sp.hot, i));
    }
  }

  @Test
  void aKeysLastConnectionIsClaimedWhereverItSits() throws Exception {
    TestPool t = pool(ReuseOrder.LIFO);
    ServerPool<?> sp = server(t);
    Lease<Conn> mine = t.pool.acquireByKey("k").join();
    Lease<Conn> newer = t.lease();
    PooledConnection<?> pm = pooled(mine);
    mine.release();
    newer.release(); // pushes the key's connection to the deque
    assertTrue(pm.inDeque);
    Lease<Conn> again = t.pool.tryAcquireByKey("k");
    assertSame(pm, pooled(again), "claimed out of the deque");
    assertFalse(pm.inDeque);
    assertNotSame(pm, HotSlots.get(sp.hot, HotSlots.stripe(sp.hot)));
    again.release();
    Lease<Conn> fromSlot = t.pool.tryAcquireByKey("k");
    assertSame(pm, pooled(fromSlot), "and out of a slot");
    assertEquals(PooledConnection.LEASED_HOT, pm.state());
    fromSlot.release();
    assertEquals(List.of(), TestHooks.checkInvariants(t.pool));
  }
}
