package io.tether.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.TestPool;
import org.junit.jupiter.api.Test;

/**
 * The two balance algorithms pick differently where they differ: leastconn looks at the connections
 * each server has now, roundrobin only at whose turn it is (HAProxy's meanings).
 */
class BalanceTest {

  /** Opens a connection to a1, one to a2, closes a2's, and says where the third goes. */
  private static String thirdAfterClosingTheSecond(Balance balance) {
    TestPool t = new TestPool(PoolConfig.builder().balance(balance)
        .server("a1", "127.0.0.29", 8080).server("a2", "127.0.0.38", 8080));
    Lease<Conn> first = t.pool.acquireFresh().join();
    Lease<Conn> second = t.pool.acquireFresh().join();
    assertEquals(2, java.util.Set.of(first.connection().endpoint.name(), second.connection().endpoint.name()).size(),
        "the first two go to different servers either way");
    String emptied = second.connection().endpoint.name();
    second.invalidate(CloseCause.BROKEN, null);
    String third = t.pool.acquireFresh().join().connection().endpoint.name();
    return third.equals(emptied) ? "the emptied server" : "the other server";
  }

  @Test
  void leastconnSendsTheNextConnectionToTheServerWithFewest() {
    assertEquals("the emptied server", thirdAfterClosingTheSecond(Balance.LEASTCONN));
  }

  @Test
  void roundrobinSendsItToWhoseTurnItIsWhateverTheCounts() {
    assertEquals("the other server", thirdAfterClosingTheSecond(Balance.ROUNDROBIN));
  }

  /** HAProxy's roundrobin with equal weights starts at the first server and takes turns in order. */
  @Test
  void roundrobinTakesTurnsInConfigurationOrder() {
    TestPool t = new TestPool(PoolConfig.builder().balance(Balance.ROUNDROBIN)
        .server("a1", "127.0.0.29", 8080).server("a2", "127.0.0.38", 8080).server("a3", "127.0.0.39", 8080));
    StringBuilder order = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      Lease<Conn> l = t.pool.acquireFresh().join();
      order.append(l.connection().endpoint.name()).append(' ');
      l.invalidate(CloseCause.BROKEN, null);
    }
    assertEquals("a1 a2 a3 a1 a2 a3", order.toString().trim());
  }
}
