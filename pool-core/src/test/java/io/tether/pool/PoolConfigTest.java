package io.tether.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.testing.Props;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration input is strict: one written form per type, every value inside its key's range, every
 * message naming the key, the value as written and the allowed range; never a coercion.
 */
class PoolConfigTest {
  @TempDir Path dir;

  private static Properties props(String... kv) {
    return Props.of(kv);
  }

  private static String error(String... kv) {
    return assertThrows(ConfigException.class, () -> PoolConfig.fromProperties(props(kv))).getMessage();
  }

  @Test
  void defaultsEvictAtNineTenthsOfDebiansFiftySecondTimeout() {
    PoolConfig c = PoolConfig.builder().build();
    assertEquals(Duration.ofSeconds(50), c.eviction().lbIdleTimeout());
    assertEquals(Duration.ofSeconds(45), c.eviction().evictAfter());
    assertEquals(0.05, c.eviction().jitter());
    assertEquals(Duration.ofMillis(500), c.eviction().handoutMargin());
    assertEquals(ReuseOrder.LIFO, c.reuseOrder());
    assertEquals(Balance.LEASTCONN, c.balance());
    assertEquals(64, c.maxConnectionsPerServer());
    assertEquals(Duration.ofSeconds(10), c.acquireTimeout());
    assertEquals(IdleInput.PASS, c.idleInput());
  }

  @Test
  void lbIdleTimeoutAndRatioGiveEvictAfter() {
    PoolConfig c = PoolConfig.fromProperties(props("tether.pool.lb-idle-timeout", "10m"));
    assertEquals(Duration.ofMinutes(9), c.eviction().evictAfter());
    c = PoolConfig.fromProperties(props("tether.pool.lb-idle-timeout", "2s", "tether.pool.evict-ratio", "75%"));
    assertEquals(Duration.ofMillis(1500), c.eviction().evictAfter());
    assertEquals(Duration.ofMillis(75), c.eviction().handoutMargin(), "5% of a short evict-after");
  }

  @Test
  void everyRejectionNamesKeyValueAsWrittenAndRange() {
    String[][] cases = {
        {"tether.pool.max-connections", "0", "tether.pool.max-connections: 0 (expected: an integer from 1 to 2147483647)"},
        {"tether.pool.max-connections", "\u0662", "tether.pool.max-connections: \u0662 (expected: an integer from 1 to 2147483647)"},
        {"tether.pool.max-connections", "\uff16\uff14", "tether.pool.max-connections: \uff16\uff14 (expected: an integer from 1 to 2147483647)"},
        {"tether.pool.max-connections", "+2", "tether.pool.max-connections: +2 (expected: an integer from 1 to 2147483647)"},
        {"tether.pool.max-connections", "1_2", "tether.pool.max-connections: 1_2 (expected: an integer from 1 to 2147483647)"},
        {"tether.pool.max-connections", "99999999999", "tether.pool.max-connections: 99999999999 (expected: an integer from 1 to 2147483647)"},
        {"tether.pool.max-pending-acquires", "ten", "tether.pool.max-pending-acquires: ten (expected: an integer from 0 to 2147483647)"},
        {"tether.pool.evict-ratio", "0x1.cp-1", "tether.pool.evict-ratio: 0x1.cp-1 (expected: a fraction above 0 and below 1, such as 0.9 or 90%)"},
        {"tether.pool.evict-ratio", "0.9d", "tether.pool.evict-ratio: 0.9d (expected: a fraction above 0 and below 1, such as 0.9 or 90%)"},
        {"tether.pool.evict-ratio", "100%", "tether.pool.evict-ratio: 100% (expected: a fraction above 0 and below 1, such as 0.9 or 90%)"},
        {"tether.pool.jitter", "1e-400", "tether.pool.jitter: 1e-400 (expected: a fraction from 0 to 0.5, such as 0.05 or 5%)"},
        {"tether.pool.jitter", "60%", "tether.pool.jitter: 60% (expected: a fraction from 0 to 0.5, such as 0.05 or 5%)"},
        {"tether.pool.lb-idle-timeout", "5ms", "tether.pool.lb-idle-timeout: 5ms (expected: 10ms to 24d)"},
        {"tether.pool.lb-idle-timeout", "1.5s", "tether.pool.lb-idle-timeout: 1.5s (expected: 10ms to 24d)"},
        {"tether.pool.max-lifetime", "500ms", "tether.pool.max-lifetime: 500ms (expected: 0, or 1s to 24d)"},
        {"tether.pool.acquire-timeout", "forever", "tether.pool.acquire-timeout: forever (expected: 0ms to 24d, or none)"},
        {"tether.pool.check", "yes", "tether.pool.check: yes (expected: true or false)"},
        {"tether.pool.check.fall", "0", "tether.pool.check.fall: 0 (expected: an integer from 1 to 100)"},
        {"tether.pool.check.type", "ldap", "tether.pool.check.type: ldap (expected: tcp or http)"},
        {"tether.pool.check.http-path", "health", "tether.pool.check.http-path: health (expected: a path of up to 2048 visible ASCII characters starting with /)"},
        {"tether.pool.check.http-path", "/a\u007fb", "tether.pool.check.http-path: /a\u007fb (expected: a path of up to 2048 visible ASCII characters starting with /)"},
        {"tether.pool.check.http-expect", "status 9000", "tether.pool.check.http-expect: status 9000 (expected: [!] status <codes>, rstatus <regex>, string <text> or rstring <regex>, e.g. status 200-299)"},
        {"tether.pool.on-marked-down", "shutdown", "tether.pool.on-marked-down: shutdown (expected: shutdown-sessions, drain or none)"},
        {"tether.pool.observe", "layer7", "tether.pool.observe: layer7 (expected: layer4 or none)"},
        {"tether.pool.retries", "11", "tether.pool.retries: 11 (expected: an integer from 0 to 10)"},
        {"tether.pool.name", "my pool", "tether.pool.name: my pool (expected: 1-64 characters from A-Z a-z 0-9 . _ -)"},
        {"tether.pool.name", "x".repeat(100_000), "tether.pool.name: " + "x".repeat(100_000) + " (expected: 1-64 characters from A-Z a-z 0-9 . _ -)"},
    };
    for (String[] c : cases) {
      assertEquals(c[2], error(c[0], c[1]), c[0] + "=" + c[1]);
    }
  }

  @Test
  void serversAreHostPortAndNothingLooser() {
    for (String bad : List.of("http://127.0.0.1:80", "127.0.0.1:+80", "[::1", "127.0.0.1", "127.0.0.1:0",
        "127.0.0.1:65536", "127.0.0.1:80 weight 257", "127.0.0.1:80 weight", "127.0.0.1:80 sideways", "1.2.3.256:80",
        "[::g]:80", "-bad-.example:80")) {
      String m = error("tether.pool.server.app1", bad);
      assertTrue(m.startsWith("tether.pool.server.app1: " + bad + " (expected: ") && m.contains("<host>:<port> [weight"), m);
    }
    PoolConfig c = PoolConfig.fromProperties(props("tether.pool.server.a", "[::1]:8080 weight 0 backup no-check",
        "tether.pool.server.b", "db.example.com:5432 disabled port 9000"));
    assertEquals("::1", c.servers().get(0).host());
    assertEquals(0, c.servers().get(0).weight());
    assertEquals(1, c.servers().get(0).priority());
    assertEquals(false, c.servers().get(0).checked());
    assertEquals(true, c.servers().get(1).disabled());
    assertEquals(java.net.InetSocketAddress.createUnresolved("db.example.com", 9000), c.servers().get(1).checkAddress());
  }

  @Test
  void derivedValuesStayInTheirRangeOrNameBothKeys() {
    assertEquals("tether.pool.evict-after: 10us (tether.pool.evict-ratio 0.001 x tether.pool.lb-idle-timeout 10ms) "
        + "(expected: 10ms to 24d)",
        error("tether.pool.lb-idle-timeout", "10ms", "tether.pool.evict-ratio", "0.001"));
    assertEquals("tether.pool.evict-after: 1h (expected: below tether.pool.lb-idle-timeout 50s (its default; set it to "
        + "the balancer's idle timeout))", error("tether.pool.evict-after", "1h"));
    assertEquals("tether.pool.evict-after: 10m (expected: below tether.pool.lb-idle-timeout 10m)",
        error("tether.pool.lb-idle-timeout", "10m", "tether.pool.evict-after", "10m"));
    assertEquals("tether.pool.handout-margin: 1m (expected: below the shortest jittered idle time 57s "
        + "(tether.pool.evict-after 1m less tether.pool.jitter 0.05))",
        error("tether.pool.lb-idle-timeout", "10m", "tether.pool.evict-after", "1m", "tether.pool.handout-margin", "1m"));
    assertEquals("tether.pool.max-connections-per-server: 20 (expected: at most tether.pool.max-connections 10)",
        error("tether.pool.max-connections", "10", "tether.pool.max-connections-per-server", "20"));
  }

  @Test
  void keysMeantForTetherButMisspeltAreReportedWithTheRightOne() {
    assertEquals("tether.pool.evict-afer: 9m (expected: a known key; did you mean tether.pool.evict-after?)",
        error("tether.pool.evict-afer", "9m"));
    assertEquals("tether.pools.max-connections: 5 (expected: a known key; the prefix is tether.pool., lower case; "
        + "did you mean tether.pool.max-connections?)", error("tether.pools.max-connections", "5"));
    assertEquals("tether.pool-max-connections: 5 (expected: a known key; the prefix is tether.pool., lower case; "
        + "did you mean tether.pool.max-connections?)", error("tether.pool-max-connections", "5"));
    assertEquals("Tether.pool.max-connections: 5 (expected: a known key; the prefix is tether.pool., lower case; "
        + "did you mean tether.pool.max-connections?)", error("Tether.pool.max-connections", "5"));
    assertEquals("tether.max-connections: 5 (expected: a known key; the prefix is tether.pool.; did you mean "
        + "tether.pool.max-connections?)", error("tether.max-connections", "5"));
    PoolConfig c = PoolConfig.fromProperties(props("tether.fuzz.steps", "300", "other.app.key", "x", "tetherball", "y"));
    assertEquals("tether", c.name(), "keys of other applications are left alone");
  }

  @Test
  void aKeyGivenTwiceInAFileIsRefused() throws Exception {
    Path f = dir.resolve("pool.properties");
    Files.writeString(f, "tether.pool.max-connections=10\ntether.pool.max-connections=20\n");
    ConfigException e = assertThrows(ConfigException.class, () -> PoolConfig.fromFile(f));
    assertEquals("tether.pool.max-connections: 20 (expected: each key once; it was already given as '10') in " + f,
        e.getMessage());
  }

  @Test
  void builderValuesAreCheckedAtOnce() {
    assertEquals("tether.pool.max-connections: 0 (expected: an integer from 1 to 2147483647)",
        assertThrows(ConfigException.class, () -> PoolConfig.builder().maxConnections(0)).getMessage());
    assertEquals("tether.pool.jitter: 0.6 (expected: a fraction from 0 to 0.5, such as 0.05 or 5%)",
        assertThrows(ConfigException.class, () -> Eviction.builder().jitter(0.6)).getMessage());
    assertEquals("tether.pool.check.inter: 5ms (expected: 10ms to 1h)",
        assertThrows(ConfigException.class, () -> HealthCheck.builder().inter(Duration.ofMillis(5))).getMessage());
    assertEquals(Duration.ZERO, PoolConfig.builder().acquireTimeout(Duration.ZERO).build().acquireTimeout(),
        "0: an acquire that must wait fails at once, as Netty's 0 ms timeout");
    assertEquals(PoolConfig.NO_LIMIT, PoolConfig.fromProperties(props("tether.pool.acquire-timeout", "none"))
        .acquireTimeout());
  }

  @Test
  void healthCheckGroupInHaproxyTerms() {
    PoolConfig c = PoolConfig.fromProperties(props("tether.pool.check", "true", "tether.pool.check.inter", "200ms",
        "tether.pool.check.type", "http", "tether.pool.check.http-path", "/health",
        "tether.pool.check.http-header.Host", "api.example", "tether.pool.check.http-expect", "! rstring ^DOWN",
        "tether.pool.on-marked-down", "drain", "tether.pool.observe", "none"));
    HealthCheck h = c.healthCheck();
    assertEquals(true, h.enabled());
    assertEquals(Duration.ofMillis(200), h.fastinter(), "defaults to inter");
    assertEquals(Duration.ofMillis(200), h.downinter(), "defaults to inter");
    assertEquals(Duration.ofMillis(200), h.connectTimeout(), "defaults to inter, as HAProxy");
    assertEquals(Duration.ZERO, h.timeout(), "unset: the whole check within inter");
    assertEquals(java.util.Map.of("Host", "api.example"), h.httpHeaders());
    assertEquals(new HealthCheck.Expect(HealthCheck.Expect.Kind.RSTRING, true, "^DOWN"), h.httpExpect());
    assertEquals(OnMarkedDown.DRAIN, c.onMarkedDown());
    assertEquals(c, PoolConfig.fromProperties(c.toProperties()));
  }

  @Test
  void groupsMergeOnlyWhatTheyWereGiven() {
    PoolConfig c = PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10))
        .eviction(Eviction.builder().jitter(0).build()).build();
    assertEquals(Duration.ofMinutes(10), c.eviction().lbIdleTimeout(), "eviction(...) did not reset lb-idle-timeout");
    assertEquals(0.0, c.eviction().jitter());
  }

  /** A config of random valid settings, reproducible from its seed. */
  static PoolConfig randomConfig(Random r) {
    PoolConfig.Builder b = PoolConfig.builder();
    if (r.nextBoolean()) {
      b.name("pool-" + r.nextInt(1000));
    }
    int servers = r.nextInt(4);
    for (int i = 0; i < servers; i++) {
      Endpoint e = Endpoint.of("s" + i, r.nextBoolean() ? "127.0.0." + (i + 2) : "::" + (i + 1), 1 + r.nextInt(65535))
          .withWeight(r.nextInt(257)).withPriority(r.nextInt(3)).withChecked(r.nextBoolean()).withDisabled(r.nextBoolean());
      b.server(e);
    }
    int max = 1 + r.nextInt(500);
    b.maxConnections(max);
    if (r.nextBoolean()) {
      b.maxConnectionsPerServer(1 + r.nextInt(max));
    }
    if (r.nextBoolean()) {
      b.acquireTimeout(r.nextInt(4) == 0 ? PoolConfig.NO_LIMIT : Duration.ofNanos(r.nextInt(1_000_000_000) * 1000L));
    }
    Eviction.Builder e = Eviction.builder();
    long lb = 20_000_000L + (long) (r.nextDouble() * 3_600_000_000_000L);
    e.lbIdleTimeout(Duration.ofNanos(lb));
    if (r.nextBoolean()) {
      e.evictRatio(0.5 + r.nextDouble() * 0.49);
    } else if (r.nextBoolean()) {
      e.evictAfter(Duration.ofNanos(10_000_000L + (long) (r.nextDouble() * (lb - 10_000_001L))));
    }
    double jitter = r.nextDouble() * 0.5;
    e.jitter(jitter);
    if (r.nextBoolean()) {
      e.maxLifetime(Duration.ofSeconds(1 + r.nextInt(86_400)));
    }
    b.eviction(e.build());
    if (r.nextBoolean()) {
      HealthCheck.Builder h = HealthCheck.builder().enabled(true).inter(Duration.ofMillis(10 + r.nextInt(60_000)))
          .fall(1 + r.nextInt(100)).rise(1 + r.nextInt(100));
      if (r.nextBoolean()) {
        h.http(r.nextBoolean() ? "GET" : "HEAD", "/h" + r.nextInt(99)).httpHeader("X-Check", "v" + r.nextInt(9))
            .httpExpect(HealthCheck.Expect.parse(r.nextBoolean() ? "status 200-299" : "! string DOWN"));
      }
      if (r.nextBoolean()) {
        h.timeout(Duration.ofNanos(1_000_000L + r.nextInt(1_000_000_000)));
      }
      b.healthCheck(h.build());
    }
    b.reuseOrder(r.nextBoolean() ? ReuseOrder.FIFO : ReuseOrder.LIFO);
    b.onMarkedDown(OnMarkedDown.values()[r.nextInt(3)]);
    b.retries(r.nextInt(11));
    if (r.nextBoolean()) {
      b.responseTimeout(Duration.ofNanos(1_000_000L + r.nextInt(Integer.MAX_VALUE)));
    }
    return b.build();
  }

  @Test
  void everyValidConfigRoundTripsThroughProperties() {
    for (long seed = 0; seed < 600; seed++) {
      PoolConfig c;
      try {
        c = randomConfig(new Random(seed));
      } catch (ConfigException e) {
        continue; // a combination the cross-checks refuse (a margin above a short lifetime, say)
      }
      Properties written = c.toProperties();
      PoolConfig back = PoolConfig.fromProperties(written);
      assertEquals(c, back, "seed " + seed + ": " + written);
      assertEquals(written, back.toProperties(), "seed " + seed);
    }
  }
}
