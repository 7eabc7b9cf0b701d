package io.tether.pool.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.CloseCause;
import io.tether.pool.PoolClosedException;
import io.tether.pool.PoolConfig;
import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.TestPool;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The pool as a transport adapter sees it ({@code ConnectionPool.transport()}): connections leased and
 * released by themselves, no handle. The Netty adapters are built on it; here it is driven directly on
 * fake time, so each rule of the {@link TransportPool} contract is checked in the core.
 */
class TransportPoolTest {

  private static TestPool pool(int max) {
    return new TestPool(PoolConfig.builder().maxConnections(max));
  }

  /** One connection opened through the pool and released, so it sits idle. */
  private static Pooled<Conn> idleOne(TestPool t) {
    Pooled<Conn> p = t.pool.transport().lease(null).join();
    assertTrue(t.pool.transport().release(p));
    return p;
  }

  @Test
  void tryLeaseHandsOutTheIdleConnectionAndNullWhenNoneIsIdle() {
    TestPool t = pool(1);
    TransportPool<Conn> tp = t.pool.transport();
    assertNull(tp.tryLease(), "nothing idle before the first connect");
    Pooled<Conn> p = idleOne(t);
    Pooled<Conn> again = tp.tryLease();
    assertSame(p, again);
    assertTrue(again.isLeased());
    assertTrue(again.awaitsRelease());
    assertEquals("app1", again.endpoint().name());
    assertEquals(1, t.pool.stats().leased());
    assertNull(tp.tryLease(), "its one connection is leased");
    assertTrue(tp.release(again));
    assertFalse(again.isLeased());
    assertEquals(1, t.pool.stats().idle());
  }

  @Test
  void aSecondReleaseIsRefusedAndChangesNothing() {
    TestPool t = pool(1);
    TransportPool<Conn> tp = t.pool.transport();
    Pooled<Conn> p = idleOne(t);
    assertFalse(tp.release(p), "released already");
    assertEquals(1, t.pool.stats().idle());
    assertEquals(0, t.pool.stats().leased());
    assertSame(p, tp.tryLease(), "still idle, once");
  }

  @Test
  void invalidateClosesALeasedConnectionWithItsCauseAndRefusesAnIdleOne() {
    TestPool t = pool(1);
    TransportPool<Conn> tp = t.pool.transport();
    Pooled<Conn> p = idleOne(t);
    assertFalse(tp.invalidate(p, CloseCause.BROKEN, null), "idle: not leased");
    assertNull(p.connection().closedWith);
    assertSame(p, tp.tryLease());
    assertTrue(tp.invalidate(p, CloseCause.BROKEN, new IllegalStateException("bad")));
    assertEquals(CloseCause.BROKEN, p.connection().closedWith);
    assertEquals(0, t.pool.stats().total());
    assertFalse(tp.release(p), "closed: nothing to return");
  }

  /**
   * The peer closed a leased connection: the pool closed it under its holder, whose one release (or
   * invalidate) is still due and accepted once.
   */
  @Test
  void aConnectionClosedUnderItsHolderTakesOneReleaseOrInvalidate() {
    for (boolean viaInvalidate : new boolean[] {true, false}) {
      TestPool t = pool(1);
      TransportPool<Conn> tp = t.pool.transport();
      Pooled<Conn> p = idleOne(t);
      assertSame(p, tp.tryLease());
      p.connection().alive = false;
      p.connection().signals.closedByPeer(false);
      assertEquals(CloseCause.PEER_CLOSED, p.connection().closedWith);
      assertTrue(p.awaitsRelease(), "its holder still owes the pool a release");
      assertTrue(viaInvalidate ? tp.invalidate(p, CloseCause.BROKEN, null) : tp.release(p), "the holder's one");
      assertFalse(p.awaitsRelease());
      assertFalse(tp.release(p), "a second one");
      assertFalse(tp.invalidate(p, CloseCause.BROKEN, null), "a second one");
      assertEquals(CloseCause.PEER_CLOSED, p.connection().closedWith, "counted once, as the peer's close");
    }
  }

  @Test
  void closeIfIdleClosesOnlyAnIdleConnection() {
    TestPool t = pool(2);
    TransportPool<Conn> tp = t.pool.transport();
    Pooled<Conn> p = idleOne(t);
    assertSame(p, tp.tryLease());
    assertFalse(tp.closeIfIdle(p), "leased: left alone");
    assertNull(p.connection().closedWith);
    assertTrue(tp.release(p));
    assertTrue(tp.closeIfIdle(p));
    assertEquals(CloseCause.BROKEN, p.connection().closedWith);
    assertEquals(0, t.pool.stats().total());
    assertFalse(tp.closeIfIdle(p), "closed already");
  }

  @Test
  void aConnectionOfAnotherPoolIsNeitherReleasedNorClosed() {
    TestPool mine = pool(1);
    TestPool other = pool(1);
    Pooled<Conn> foreign = other.pool.transport().lease(null).join();
    TransportPool<Conn> tp = mine.pool.transport();
    assertFalse(tp.release(foreign));
    assertFalse(tp.invalidate(foreign, CloseCause.BROKEN, null));
    assertFalse(tp.closeIfIdle(foreign));
    assertTrue(foreign.isLeased(), "the other pool's lease is untouched");
    assertNull(foreign.connection().closedWith);
    assertTrue(other.pool.transport().release(foreign));
  }

  @Test
  void keyedLeasesReuseTheKeysLastConnection() {
    TestPool t = pool(2);
    TransportPool<Conn> tp = t.pool.transport();
    assertNull(tp.tryLeaseByKey("s1"), "an unknown key has no idle connection");
    Pooled<Conn> first = tp.lease("s1").join();
    Pooled<Conn> second = tp.lease(null).join();
    assertNotSame(first.connection(), second.connection());
    assertTrue(tp.release(second));
    assertTrue(tp.release(first));
    assertSame(first, tp.tryLeaseByKey("s1"), "the key's last connection, not the newest idle one");
    assertThrows(NullPointerException.class, () -> tp.tryLeaseByKey(null));
  }

  @Test
  void aLeaseWaitsForARelease() {
    TestPool t = pool(1);
    TransportPool<Conn> tp = t.pool.transport();
    Pooled<Conn> p = tp.lease(null).join();
    CompletableFuture<Pooled<Conn>> waiting = tp.lease(null);
    assertFalse(waiting.isDone());
    assertTrue(tp.release(p));
    assertSame(p, waiting.join());
  }

  @Test
  void closeIdleClosesTheIdleOnesAndKeepsThePoolOpen() {
    TestPool t = pool(2);
    TransportPool<Conn> tp = t.pool.transport();
    Pooled<Conn> a = tp.lease(null).join();
    Pooled<Conn> b = tp.lease(null).join();
    assertTrue(tp.release(a));
    CompletableFuture<Void> closed = tp.closeIdle();
    assertTrue(closed.isDone());
    assertEquals(CloseCause.IDLE_EVICTED, a.connection().closedWith);
    assertNull(b.connection().closedWith, "the leased one stays");
    assertSame(t.pool, tp.pool());
    assertNotNull(tp.lease(null).join(), "still open: a new connection");
  }

  @Test
  void aClosedPoolRefusesLeases() {
    TestPool t = pool(1);
    TransportPool<Conn> tp = t.pool.transport();
    idleOne(t);
    t.pool.closeAsync();
    assertThrows(PoolClosedException.class, tp::tryLease);
    assertThrows(PoolClosedException.class, () -> tp.tryLeaseByKey("k"));
    assertTrue(tp.closeIdle().isDone(), "the idle closes of the pool's own close");
  }
}
