package io.tether.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Properties from a file and from the JVM, and which wins. */
class ConfigSourcesTest {
  @TempDir Path dir;

  private Path file(String text) throws Exception {
    Path f = dir.resolve("tether.properties");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void readsAFile() throws Exception {
    PoolConfig c = PoolConfig.fromFile(file("tether.pool.lb-idle-timeout=10m\ntether.pool.server.app1=127.0.0.29:8080 weight 2\n"));
    assertEquals(Duration.ofMinutes(9), c.eviction().evictAfter());
    assertEquals(new Endpoint("app1", "127.0.0.29", 8080, 2), c.servers().get(0));
  }

  @Test
  void anErrorInAFileNamesTheFile() throws Exception {
    Path f = file("tether.pool.evict-afer=9m\n");
    ConfigException e = assertThrows(ConfigException.class, () -> PoolConfig.fromFile(f));
    assertEquals("tether.pool.evict-afer: 9m (expected: a known key; did you mean tether.pool.evict-after?) in " + f,
        e.getMessage());
    assertEquals(f.toString(), e.source());
  }

  @Test
  void systemPropertiesOverrideTheFileWhichOverridesDefaults() throws Exception {
    Path f = file("tether.pool.lb-idle-timeout=10m\ntether.pool.max-connections=20\n");
    String old = System.setProperty("tether.pool.max-connections", "30");
    try {
      PoolConfig c = PoolConfig.load(f);
      assertEquals(30, c.maxConnections(), "system property wins over the file");
      assertEquals(Duration.ofMinutes(10), c.eviction().lbIdleTimeout(), "file wins over the default");
      assertEquals(1000, c.maxPendingAcquires(), "default where nobody says otherwise");
      assertEquals(30, PoolConfig.fromSystemProperties().maxConnections());
    } finally {
      if (old == null) {
        System.clearProperty("tether.pool.max-connections");
      } else {
        System.setProperty("tether.pool.max-connections", old);
      }
    }
  }

  @Test
  void aBadSystemPropertyIsNamedAsSuch() {
    System.setProperty("tether.pool.jitter", "lots");
    try {
      ConfigException e = assertThrows(ConfigException.class, PoolConfig::fromSystemProperties);
      assertEquals("tether.pool.jitter: lots (expected: a fraction from 0 to 0.5, such as 0.05 or 5%) in system properties", e.getMessage());
    } finally {
      System.clearProperty("tether.pool.jitter");
    }
  }
}
