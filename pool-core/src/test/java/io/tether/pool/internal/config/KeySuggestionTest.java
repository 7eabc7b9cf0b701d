package io.tether.pool.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Keys meant for Tether under a misspelled prefix are recognised and answered with the key meant; keys
 * that belong to someone else are left alone.
 */
class KeySuggestionTest {

  @Test
  void editDistanceIsLevenshteins() {
    assertEquals(0, PropertyReader.editDistance("abc", "abc"));
    assertEquals(3, PropertyReader.editDistance("", "abc"));
    assertEquals(3, PropertyReader.editDistance("abc", ""));
    assertEquals(3, PropertyReader.editDistance("kitten", "sitting"));
    assertEquals(2, PropertyReader.editDistance("ab", "ba"));
    assertEquals(1, PropertyReader.editDistance("max-connection", "max-connections"));
    assertEquals(1, PropertyReader.editDistance("max-connectionz", "max-connections"));
  }

  @Test
  void misspelledPrefixesAreRecognisedWithTheKeyMeant() {
    for (String key : new String[] {"Tether.pool.max-connections", "TETHER.POOL.max-connections",
        "tether.pools.max-connections", "tether.pool-max-connections", "tether_pool_max-connections",
        "tether-pools.max-connections", "tether.max-connections", "tether.max-conections"}) {
      String advice = PropertyReader.meantForTether(key);
      assertTrue(advice != null && advice.contains("did you mean tether.pool.max-connections?"), key + ": " + advice);
      assertTrue(advice.startsWith("the prefix is tether.pool."), key + ": " + advice);
    }
    assertTrue(PropertyReader.meantForTether("Tether.pool.max-connections").contains("lower case"));
  }

  @Test
  void keysOfOthersAreLeftAlone() {
    for (String key : new String[] {"tetherx.pool.max-connections", "tether", "tether.", "tetherpool.max-connections",
        "other.tether.pool.max-connections", "tether.something-else-entirely", "tether.pool", "tether.pools"}) {
      assertNull(PropertyReader.meantForTether(key), key);
    }
  }

  @Test
  void theNearestKeyIsSuggestedOnlyWithinAFewEdits() {
    assertEquals("did you mean tether.pool.evict-after?", PropertyReader.suggestion("evict-afte"));
    assertEquals("did you mean tether.pool.evict-after?", PropertyReader.suggestion("evicts-aftr"));
    assertEquals("known keys are listed in docs/properties.md", PropertyReader.suggestion("zzzzzzzzzzzzzzzz"));
    assertEquals("did you mean tether.pool.server.app9?", PropertyReader.suggestion("server.app9"));
  }
}
