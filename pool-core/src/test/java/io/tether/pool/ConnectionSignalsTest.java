package io.tether.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.spi.ConnectionSignals;
import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.TestPool;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The engine's side of {@link ConnectionSignals}, the line a transport reports on: what it says about a
 * connection's state, and what each report does to an idle and to a leased connection.
 */
class ConnectionSignalsTest {

  @Test
  void stateQueriesFollowTheLease() {
    TestPool t = new TestPool(PoolConfig.builder());
    Lease<Conn> lease = t.lease();
    ConnectionSignals s = lease.connection().signals;
    assertTrue(s.isLeased());
    assertFalse(s.isIdle());
    lease.release();
    assertTrue(s.isIdle());
    assertFalse(s.isLeased());
    assertFalse(s.closedWhileLeased());
  }

  @Test
  void aResetOfAnIdleConnectionClosesItAsPeerReset() {
    TestPool t = new TestPool(PoolConfig.builder());
    Lease<Conn> lease = t.lease();
    Conn conn = lease.connection();
    lease.release();
    conn.alive = false;
    conn.signals.closedByPeer(true);
    assertEquals(CloseCause.PEER_RESET, conn.closedWith);
    assertFalse(conn.signals.closedWhileLeased());
    assertFalse(conn.signals.isIdle());
    assertEquals(0, t.pool.stats().total());
    assertTrue(t.events.events.contains("closed app1 peer-reset"), t.events.events.toString());
  }

  @Test
  void aLocalCloseOfALeasedConnectionIsBrokenAndItsHolderStillReleasesOnce() {
    TestPool t = new TestPool(PoolConfig.builder());
    Lease<Conn> lease = t.lease();
    Conn conn = lease.connection();
    conn.alive = false;
    conn.signals.closedLocally();
    assertEquals(CloseCause.BROKEN, conn.closedWith);
    assertTrue(conn.signals.closedWhileLeased());
    assertFalse(conn.signals.isLeased());
    assertEquals(0, t.pool.stats().total());
    lease.release(); // the holder's one release of a connection closed under it: accepted, nothing to do
    assertEquals(1, conn.closeCalls.get(), "closed once");
  }

  @Test
  void aPeerCloseOfAnIdleConnectionIsPeerClosed() {
    TestPool t = new TestPool(PoolConfig.builder());
    Lease<Conn> lease = t.lease();
    Conn conn = lease.connection();
    lease.release();
    conn.alive = false;
    conn.signals.closedByPeer(false);
    assertEquals(CloseCause.PEER_CLOSED, conn.closedWith);
    conn.signals.closedByPeer(true); // a late second report changes nothing
    assertEquals(CloseCause.PEER_CLOSED, conn.closedWith);
    assertEquals(1, conn.closeCalls.get());
    assertNull(t.pool.tryAcquire(), "not handed out again");
  }

  /** A channel can become active and be reset before its connect future's listeners run. */
  @Test
  void aResetReportedBeforeTheConnectCompletedClosesTheConnectionAsPeerResetAndTheAcquireGetsAnother() {
    TestPool t = new TestPool(PoolConfig.builder());
    t.connector.manualConnects = true;
    CompletableFuture<Lease<Conn>> f = t.pool.acquire();
    t.connector.pendingSignals().closedByPeer(true);
    assertEquals(1, t.connector.completePending(1, e -> false));
    Conn first = t.connector.opened.peek();
    assertEquals(CloseCause.PEER_RESET, first.closedWith, "closed as what happened to it, once it is known");
    assertFalse(f.isDone(), "the acquire still needs a connection");
    assertEquals(1, t.connector.completePending(1, e -> false));
    assertNotSame(first, f.join().connection());
    assertEquals(1, t.pool.stats().total());
  }

  @Test
  void aCloseReportedBeforeTheConnectCompletedIsPeerClosed() {
    TestPool t = new TestPool(PoolConfig.builder());
    t.connector.manualConnects = true;
    CompletableFuture<Lease<Conn>> f = t.pool.acquire();
    t.connector.pendingSignals().closedByPeer(false);
    t.connector.completePending(1, e -> false);
    assertEquals(CloseCause.PEER_CLOSED, t.connector.opened.peek().closedWith);
    t.connector.completePending(1, e -> false);
    assertTrue(f.isDone());
  }
}
