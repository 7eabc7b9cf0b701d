package io.tether.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.TestPool;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine's core rules in every flavour it runs in: both reuse orders (LIFO, FIFO) and both ways of
 * timing idleness (the transport reports activity, as the Netty adapters do; or the pool stamps the
 * release, as a transport that cannot tell does). The other tests mostly run one flavour each.
 */
class EngineFlavoursTest {
  static Stream<Arguments> flavours() {
    return Stream.of(
        Arguments.of(ReuseOrder.LIFO, true), Arguments.of(ReuseOrder.LIFO, false),
        Arguments.of(ReuseOrder.FIFO, true), Arguments.of(ReuseOrder.FIFO, false));
  }

  private static TestPool pool(ReuseOrder order, boolean tracksActivity, int maxConnections) {
    return new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)).reuseOrder(order)
        .maxConnections(maxConnections).eviction(Eviction.builder().jitter(0).build()), tracksActivity);
  }

  @ParameterizedTest(name = "{0}, activity tracked: {1}")
  @MethodSource("flavours")
  void anIdleConnectionIsLeasedBeforeItsDeadlineAndNeverAtIt(ReuseOrder order, boolean tracksActivity) {
    TestPool t = pool(order, tracksActivity, 4);
    Lease<Conn> a = t.lease();
    Conn conn = a.connection();
    conn.signals.activity(); // the exchange's last byte, now
    a.release();
    // 9m evict-after less the 500ms hand-out margin
    t.advance(Duration.ofMinutes(9).minusMillis(501));
    Lease<Conn> again = t.pool.tryAcquire();
    assertNotNull(again, "1 ms before its deadline");
    assertSame(conn, again.connection());
    again.release();
    t.advance(Duration.ofMinutes(9).minusMillis(500));
    assertNull(t.pool.tryAcquire(), "at its deadline it is gone, never handed out");
    assertEquals(CloseCause.IDLE_EVICTED, conn.closedWith);
    assertEquals(0, t.pool.stats().total());
  }

  @ParameterizedTest(name = "{0}, activity tracked: {1}")
  @MethodSource("flavours")
  void theReuseOrderDecidesWhichIdleConnectionComesBack(ReuseOrder order, boolean tracksActivity) {
    TestPool t = pool(order, tracksActivity, 4);
    Lease<Conn> first = t.lease();
    Lease<Conn> second = t.lease();
    Conn older = first.connection();
    Conn newer = second.connection();
    first.release();
    t.advance(Duration.ofSeconds(1));
    second.release();
    Lease<Conn> next = t.pool.tryAcquire();
    assertSame(order == ReuseOrder.LIFO ? newer : older, next.connection(),
        order + ": " + (order == ReuseOrder.LIFO ? "the most recently used" : "the least recently used"));
    next.release();
  }

  @ParameterizedTest(name = "{0}, activity tracked: {1}")
  @MethodSource("flavours")
  void aFullPoolMakesAcquiresWaitAndAReleaseHandsOver(ReuseOrder order, boolean tracksActivity) throws Exception {
    TestPool t = pool(order, tracksActivity, 2);
    Lease<Conn> a = t.lease();
    Lease<Conn> b = t.lease();
    CompletableFuture<Lease<Conn>> waiting = t.pool.acquire();
    assertFalse(waiting.isDone(), "the limit holds");
    assertEquals(1, t.pool.stats().pending());
    Conn handed = a.connection();
    a.release();
    assertTrue(waiting.isDone(), "a release hands the connection over at once");
    assertSame(handed, waiting.get().connection());
    assertEquals(2, t.connector.connectCalls.get(), "no connection beyond the limit");
    waiting.get().release();
    b.release();
    assertEquals(2, t.pool.stats().idle());
  }

  @ParameterizedTest(name = "{0}, activity tracked: {1}")
  @MethodSource("flavours")
  void closingClosesIdleConnectionsNowAndLeasedOnesAsTheyReturn(ReuseOrder order, boolean tracksActivity) {
    TestPool t = pool(order, tracksActivity, 4);
    Lease<Conn> held = t.lease();
    Lease<Conn> idle = t.lease();
    Conn idleConn = idle.connection();
    idle.release();
    CompletableFuture<Void> closed = t.pool.closeAsync();
    assertEquals(CloseCause.POOL_CLOSED, idleConn.closedWith, "idle: closed at once");
    assertFalse(closed.isDone(), "a lease is out");
    held.release();
    assertEquals(CloseCause.POOL_CLOSED, held.connection().closedWith);
    assertTrue(closed.isDone());
  }
}
