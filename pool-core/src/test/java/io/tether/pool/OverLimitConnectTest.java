package io.tether.pool;

import io.tether.pool.internal.TestHooks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.TestPool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * {@code on-acquire-timeout connect}, Netty's {@code AcquireTimeoutAction.NEW}, on fake time: an acquire
 * that waited its timeout at the limit gets a connection of its own beyond the limit.
 */
class OverLimitConnectTest {

  private static PoolConfig.Builder oneConnection() {
    return PoolConfig.builder().name("orders").maxConnections(1).acquireTimeout(Duration.ofSeconds(1))
        .onAcquireTimeout(OnAcquireTimeout.CONNECT);
  }

  @Test
  void anAcquireThatWaitedItsTimeoutOpensOneConnectionBeyondTheLimit() {
    TestPool t = new TestPool(oneConnection());
    Lease<Conn> held = t.lease();
    CompletableFuture<Lease<Conn>> second = t.pool.acquire();
    t.advance(Duration.ofMillis(999));
    assertFalse(second.isDone(), "waits its whole timeout first");
    assertEquals(1, t.connector.connectCalls.get());

    t.advance(Duration.ofMillis(1));
    assertTrue(second.isDone(), "served by a connect of its own at 1s");
    Lease<Conn> extra = second.join();
    assertNotSame(held.connection(), extra.connection());
    assertEquals(2, t.connector.connectCalls.get());
    assertEquals(2, t.pool.stats().leased(), "two leased under a limit of one");
    assertEquals(2, TestHooks.reservedConnections(t.pool), "the connection count owns the extra one");
    assertEquals(List.of(), TestHooks.checkInvariants(t.pool));

    held.release();
    extra.release();
    assertEquals(2, t.pool.stats().idle(), "both kept until they close, as Netty's NEW");
    held.connection().signals.closedByPeer(false);
    assertEquals(1, TestHooks.reservedConnections(t.pool));
    assertEquals(List.of(), TestHooks.checkInvariants(t.pool));
  }

  @Test
  void aReleaseBeforeTheTimeoutServesTheWaiterWithoutAnExtraConnection() {
    TestPool t = new TestPool(oneConnection());
    Lease<Conn> held = t.lease();
    Conn conn = held.connection();
    CompletableFuture<Lease<Conn>> second = t.pool.acquire();
    t.advance(Duration.ofMillis(500));
    held.release();
    assertSame(conn, second.join().connection());
    t.advance(Duration.ofSeconds(5));
    assertEquals(1, t.connector.connectCalls.get(), "its timeout was cancelled with it");
  }

  @Test
  void anAcquireForOneServerGetsItsExtraConnectionThere() {
    TestPool t = new TestPool(oneConnection().server("app1", "127.0.0.29", 8080).server("app2", "127.0.0.38", 8080)
        .maxConnections(2).maxConnectionsPerServer(1));
    Endpoint app1 = t.pool.config().servers().get(0);
    Lease<Conn> a = t.pool.acquire(app1).join();
    Lease<Conn> b = t.lease();
    assertEquals("app2", b.endpoint().name());
    CompletableFuture<Lease<Conn>> forApp1 = t.pool.acquire(app1);
    t.advance(Duration.ofSeconds(1));
    assertEquals(app1, forApp1.join().endpoint(), "beyond app1's limit, on app1");
    assertEquals(2, t.pool.stats().servers().get(0).leased());
    a.release();
  }

  @Test
  void anOverLimitConnectToAServerThatIsNotUpFailsTheAcquire() throws Exception {
    TestPool t = new TestPool(oneConnection());
    Endpoint app1 = t.pool.config().servers().get(0);
    Lease<Conn> held = t.pool.acquire(app1).join();
    CompletableFuture<Lease<Conn>> second = t.pool.acquire(app1);
    t.pool.setServerState("app1", ServerState.DRAIN);
    t.advance(Duration.ofSeconds(1));
    EndpointDownException e = assertInstanceOf(EndpointDownException.class,
        assertThrows(ExecutionException.class, second::get).getCause());
    assertEquals("app1", e.endpointName());
    assertEquals(1, t.connector.connectCalls.get(), "no connect to a draining server");
    assertEquals(0, t.pool.stats().pending());
    held.release();
  }

  @Test
  void withTheDefaultActionTheAcquireFailsAndNothingIsOpened() {
    TestPool t = new TestPool(oneConnection().onAcquireTimeout(OnAcquireTimeout.FAIL));
    t.lease();
    CompletableFuture<Lease<Conn>> second = t.pool.acquire();
    t.advance(Duration.ofSeconds(1));
    assertInstanceOf(AcquireTimeoutException.class,
        assertThrows(ExecutionException.class, second::get).getCause());
    assertEquals(1, t.connector.connectCalls.get());
  }
}
