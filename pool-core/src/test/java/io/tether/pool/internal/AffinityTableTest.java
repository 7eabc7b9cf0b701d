package io.tether.pool.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/**
 * The affinity table's bounds on their own: past {@code maxKeys} the least recently used key goes (never
 * the one being pinned), and keys idle for {@code idleNanos} are forgotten, to the nanosecond. Servers
 * are left null here: the table only carries them.
 */
class AffinityTableTest {

  @Test
  void pastMaxKeysTheLeastRecentlyUsedKeyIsDropped() {
    AffinityTable<Object> t = new AffinityTable<>(2, 1_000);
    assertNotNull(t.pin("a", null, 10));
    assertNotNull(t.pin("b", null, 20));
    t.get("a").lastUsed = 30; // "a" used again: "b" is now the oldest
    AffinityTable.Pin<Object> c = t.pin("c", null, 40);
    assertNotNull(c);
    assertSame(c, t.get("c"), "the key being pinned is never the one dropped");
    assertEquals(2, t.size());
    assertNull(t.get("b"));
    assertNotNull(t.get("a"));
  }

  @Test
  void theNewestKeyIsKeptEvenWhenItIsTheOldestSeen() {
    AffinityTable<Object> t = new AffinityTable<>(1, 1_000);
    t.pin("a", null, 50);
    t.pin("b", null, 10); // pinned with an older clock reading than "a"
    assertEquals(1, t.size());
    assertNotNull(t.get("b"));
    assertNull(t.get("a"));
  }

  @Test
  void pinningAKnownKeyAgainKeepsItsPinAndRenewsItsTime() {
    AffinityTable<Object> t = new AffinityTable<>(8, 1_000);
    AffinityTable.Pin<Object> p = t.pin("a", null, 10);
    AffinityTable.Pin<Object> again = t.pin("a", null, 99);
    assertSame(p, again);
    assertEquals(99, again.lastUsed);
    assertEquals(1, t.size());
  }

  @Test
  void keysIdleForTheTimeoutAreForgottenToTheNanosecond() {
    AffinityTable<Object> t = new AffinityTable<>(8, 100);
    t.pin("old", null, 0);
    t.pin("edge", null, 1);
    t.pin("new", null, 50);
    assertEquals(3, t.forgetIdle(99), "nothing idle for 100 yet");
    assertEquals(2, t.forgetIdle(100), "idle for exactly 100: forgotten");
    assertNull(t.get("old"));
    assertNotNull(t.get("edge"));
    assertEquals(1, t.forgetIdle(101));
    assertNotNull(t.get("new"));
    assertEquals(0, t.forgetIdle(1_000));
    assertEquals(0, t.size());
  }
}
