package io.tether.pool.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.Lease;
import io.tether.pool.MembershipChange;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolStats;
import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.TestPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Answers of a membership source turned into named servers on a fake clock. */
class ServerSlotsTest {
  private static final long S = Duration.ofSeconds(1).toNanos();

  private static List<Discovered> addresses(int... last) {
    return IntStream.of(last).mapToObj(i -> Discovered.of("127.0.0." + i, 8080)).toList();
  }

  private static TestPool emptyPool() {
    return TestPool.dynamic(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)).maxConnections(100));
  }

  private static List<String> names(TestPool t) {
    return t.pool.stats().servers().stream().map(PoolStats.Server::name)
        .sorted().toList();
  }

  @Test
  void addressesGetBoundedSlotNamesAndKeepThem() {
    TestPool t = emptyPool();
    ServerSlots slots = new ServerSlots(t.pool, "web", 8, Duration.ofSeconds(30));
    assertEquals(List.of("web1", "web2"), slots.offer(addresses(41, 42), 0).added());
    MembershipChange grow = slots.offer(addresses(41, 42, 43, 44, 45), S);
    assertEquals(List.of("web3", "web4", "web5"), grow.added());
    assertEquals(List.of("web1", "web2", "web3", "web4", "web5"), names(t));
    Map<String, Discovered> now = slots.current();
    assertEquals("127.0.0.41", now.get("web1").host(), "an address keeps its slot");
    assertEquals("127.0.0.45", now.get("web5").host());
    assertTrue(slots.offer(addresses(45, 44, 43, 42, 41), 2 * S).isEmpty(), "the same set in any order changes nothing");
  }

  @Test
  void aMissingAddressIsHeldThenRemovedAndItsSlotReused() {
    TestPool t = emptyPool();
    ServerSlots slots = new ServerSlots(t.pool, "web", 8, Duration.ofSeconds(30));
    slots.offer(addresses(41, 42, 43, 44, 45), 0);
    MembershipChange shrink = slots.offer(addresses(43), 10 * S);
    assertTrue(shrink.removed().isEmpty(), "held, not removed: " + shrink);
    assertEquals(40 * S, slots.nextExpiry());
    assertTrue(slots.expire(39 * S).removed().isEmpty());
    assertEquals(List.of("web1", "web2", "web4", "web5"), slots.expire(40 * S).removed());
    assertEquals(List.of("web3"), names(t), "removed servers with no connection left at once");
    assertEquals(Long.MAX_VALUE, slots.nextExpiry());
    MembershipChange regrow = slots.offer(addresses(43, 46, 47), 50 * S);
    assertEquals(List.of("web1", "web2"), regrow.added(), "freed slots are given out again, lowest first");
  }

  @Test
  void oneFlappingAnswerEmptiesNothing() {
    TestPool t = emptyPool();
    ServerSlots slots = new ServerSlots(t.pool, "web", 8, Duration.ofSeconds(30));
    slots.offer(addresses(41, 42), 0);
    assertTrue(slots.offer(List.of(), S).isEmpty(), "an empty answer starts a hold");
    assertTrue(slots.offer(addresses(41, 42), 2 * S).isEmpty(), "back before the hold ran out");
    assertTrue(slots.expire(100 * S).isEmpty(), "the hold was cleared");
    assertEquals(List.of("web1", "web2"), names(t));
  }

  @Test
  void aDrainingServersSlotIsNotReusedUntilItHasLeft() {
    TestPool t = emptyPool();
    ServerSlots slots = new ServerSlots(t.pool, "web", 2, Duration.ZERO);
    slots.offer(addresses(41, 42), 0);
    List<Lease<Conn>> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      held.add(t.pool.acquire().join());
    }
    Lease<Conn> onWeb1 = held.stream().filter(l -> l.connection().endpoint.name().equals("web1")).findFirst()
        .orElseThrow();
    assertEquals(List.of("web1"), slots.offer(addresses(42, 43), S).removed(), "hold 0: removed at once");
    assertTrue(slots.overflowed(), "web1 still drains: no slot for 127.0.0.43 yet");
    assertEquals(List.of("web1", "web2"), names(t));
    held.stream().filter(l -> l.connection().endpoint.name().equals("web1")).forEach(Lease::release);
    assertFalse(names(t).contains("web1"), "web1 left with its last connection " + onWeb1.connection());
    assertEquals(List.of("web1"), slots.offer(addresses(42, 43), 2 * S).added(), "its slot is free now");
    assertEquals("127.0.0.43", slots.current().get("web1").host());
  }

  @Test
  void weightsAndPrioritiesFollowTheAnswers() {
    TestPool t = emptyPool();
    ServerSlots slots = new ServerSlots(t.pool, "api", 8, Duration.ofSeconds(30));
    slots.offer(List.of(new Discovered("127.0.0.41", 80, 10, 0), new Discovered("127.0.0.42", 80, 10, 0)), 0);
    MembershipChange c = slots.offer(List.of(new Discovered("127.0.0.41", 80, 30, 0),
        new Discovered("127.0.0.42", 80, 10, 1)), S);
    assertEquals(List.of("api1"), c.reweighted());
    assertEquals(List.of("api2"), c.removed(), "a new tier: the old server leaves");
    assertEquals(List.of("api3"), c.added(), "and joins again as a backup, in a slot that was free");
    assertEquals(1, slots.current().get("api3").priority());
    assertEquals(List.of("api1", "api3"), names(t), "the old api2 had no connection: gone at once");
    assertEquals(List.of("api2"), slots.offer(List.of(new Discovered("127.0.0.41", 80, 30, 0),
        new Discovered("127.0.0.42", 80, 10, 1), new Discovered("127.0.0.43", 80, 10, 0)), 2 * S).added(),
        "its slot number is free again");
  }

  @Test
  void badArgumentsAreRefused() {
    TestPool t = emptyPool();
    assertThrows(IllegalArgumentException.class, () -> new ServerSlots(t.pool, "web 1", 8, Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> new ServerSlots(t.pool, "web", 0, Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> new ServerSlots(t.pool, "web", 8, Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> new Discovered("h", 0, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new Discovered("h", 80, 257, 0));
  }
}
