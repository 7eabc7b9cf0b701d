package io.tether.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** One test per configuration error message, plus the syntax and defaults they guard. */
class PoolConfigTest {

  private static Properties props(String... kv) {
    Properties p = new Properties();
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return p;
  }

  private static String error(String... kv) {
    return assertThrows(ConfigException.class, () -> PoolConfig.fromProperties(props(kv))).getMessage();
  }

  @Test
  void defaultsEvictAtNineTenthsOfDebiansFiftySecondTimeout() {
    PoolConfig c = PoolConfig.builder().build();
    assertEquals(Duration.ofSeconds(50), c.lbIdleTimeout());
    assertEquals(Duration.ofSeconds(45), c.evictAfter());
    assertEquals(0.05, c.jitter());
    assertEquals(Duration.ofMillis(500), c.handoutMargin());
    assertEquals(ReuseOrder.LIFO, c.reuseOrder());
    assertEquals(Balance.LEASTCONN, c.balance());
    assertEquals(64, c.maxConnectionsPerServer());
  }

  @Test
  void lbIdleTimeoutAndRatioGiveEvictAfter() {
    PoolConfig c = PoolConfig.fromProperties(props("tether.pool.lb-idle-timeout", "10m"));
    assertEquals(Duration.ofMinutes(9), c.evictAfter());
    c = PoolConfig.fromProperties(props("tether.pool.lb-idle-timeout", "2s", "tether.pool.evict-ratio", "75%"));
    assertEquals(Duration.ofMillis(1500), c.evictAfter());
    assertEquals(Duration.ofMillis(75), c.handoutMargin(), "5% of a short evict-after");
  }

  @Test
  void haproxyDurationSyntax() {
    assertEquals(Duration.ofMillis(500), DurationSyntax.parseOrNull("500ms"));
    assertEquals(Duration.ofMinutes(9), DurationSyntax.parseOrNull("9m"));
    assertEquals(Duration.ofSeconds(10), DurationSyntax.parseOrNull("10s"));
    assertEquals(Duration.ofMillis(2000), DurationSyntax.parseOrNull("2000"), "bare number = ms");
    assertEquals(Duration.ofHours(1), DurationSyntax.parseOrNull("1h"));
    assertEquals(Duration.ofDays(1), DurationSyntax.parseOrNull("1d"));
    assertEquals(Duration.ofNanos(100_000), DurationSyntax.parseOrNull("100us"));
    assertNull(DurationSyntax.parseOrNull("1.5s"));
    assertNull(DurationSyntax.parseOrNull("-1s"));
    assertNull(DurationSyntax.parseOrNull("10 s"));
    assertNull(DurationSyntax.parseOrNull("10sec"));
    assertNull(DurationSyntax.parseOrNull(""));
    assertEquals("9m", DurationSyntax.format(Duration.ofMinutes(9)));
    assertEquals("1500ms", DurationSyntax.format(Duration.ofMillis(1500)));
  }

  @Test
  void roundTripThroughProperties() {
    PoolConfig c =
        PoolConfig.builder()
            .name("orders")
            .server(new Endpoint("app1", "127.0.0.29", 8080, 3))
            .server("app2", "127.0.0.38", 8080)
            .maxConnections(10)
            .maxConnectionsPerServer(6)
            .reuseOrder(ReuseOrder.FIFO)
            .balance(Balance.ROUNDROBIN)
            .lbIdleTimeout(Duration.ofMinutes(10))
            .maxLifetime(Duration.ofHours(1))
            .build();
    PoolConfig back = PoolConfig.fromProperties(c.toProperties());
    assertEquals(c, back);
    assertEquals(List.of(new Endpoint("app1", "127.0.0.29", 8080, 3), Endpoint.of("app2", "127.0.0.38", 8080)),
        back.servers());
  }

  @Test
  void otherPrefixesAreIgnored() {
    PoolConfig c = PoolConfig.fromProperties(props("java.version", "17", "tetherpool.x", "1"));
    assertEquals("tether", c.name());
  }

  @Test
  void evictAfterAtOrAboveLbIdleTimeout() {
    assertEquals(
        "tether.pool.evict-after: 11m (expected: below tether.pool.lb-idle-timeout 10m)",
        error("tether.pool.lb-idle-timeout", "10m", "tether.pool.evict-after", "11m"));
    assertEquals(
        "tether.pool.evict-after: 10m (expected: below tether.pool.lb-idle-timeout 10m)",
        error("tether.pool.lb-idle-timeout", "10m", "tether.pool.evict-after", "10m"));
  }

  @Test
  void unknownKeySuggestsTheNearest() {
    assertEquals(
        "tether.pool.evict-afer: 9m (expected: a known key; did you mean tether.pool.evict-after?)",
        error("tether.pool.evict-afer", "9m"));
    assertEquals(
        "tether.pool.maxconnections: 5 (expected: a known key; did you mean tether.pool.max-connections?)",
        error("tether.pool.maxconnections", "5"));
    assertEquals(
        "tether.pool.colour: blue (expected: a known key; known keys are listed in docs/properties.md)",
        error("tether.pool.colour", "blue"));
  }

  @Test
  void durationWithoutHaproxySyntax() {
    assertEquals(
        "tether.pool.acquire-timeout: 1.5s (expected: " + DurationSyntax.EXPECTED + ")",
        error("tether.pool.acquire-timeout", "1.5s"));
  }

  @Test
  void integerOutOfRange() {
    assertEquals("tether.pool.max-connections: 0 (expected: 1-65536)", error("tether.pool.max-connections", "0"));
  }

  @Test
  void integerNotANumber() {
    assertEquals("tether.pool.max-pending-acquires: ten (expected: an integer)",
        error("tether.pool.max-pending-acquires", "ten"));
  }

  @Test
  void perServerLimitAboveTotal() {
    assertEquals(
        "tether.pool.max-connections-per-server: 20 (expected: at most tether.pool.max-connections 10)",
        error("tether.pool.max-connections", "10", "tether.pool.max-connections-per-server", "20"));
  }

  @Test
  void evictRatioOfOne() {
    assertEquals("tether.pool.evict-ratio: 1.0 (expected: above 0 and below 1)", error("tether.pool.evict-ratio", "1"));
  }

  @Test
  void ratioNotANumber() {
    assertEquals("tether.pool.jitter: lots (expected: a fraction such as 0.05 or 5%)", error("tether.pool.jitter", "lots"));
  }

  @Test
  void jitterAboveHalf() {
    assertEquals("tether.pool.jitter: 0.6 (expected: 0 to 0.5 (or 0% to 50%))", error("tether.pool.jitter", "60%"));
  }

  @Test
  void handoutMarginLeavingNoIdleTime() {
    assertEquals(
        "tether.pool.handout-margin: 2s (expected: below the shortest jittered idle time 1710ms "
            + "(evict-after 1800ms less jitter 0.05))",
        error("tether.pool.lb-idle-timeout", "2s", "tether.pool.handout-margin", "2s"));
  }

  @Test
  void reuseOrderUnknown() {
    assertEquals("tether.pool.reuse-order: random (expected: lifo or fifo)", error("tether.pool.reuse-order", "random"));
  }

  @Test
  void balanceUnknown() {
    assertEquals("tether.pool.balance: source (expected: leastconn or roundrobin)", error("tether.pool.balance", "source"));
  }

  @Test
  void serverLineMalformed() {
    assertEquals(
        "tether.pool.server.app1: 127.0.0.29 (expected: <host>:<port> [weight <1-256>], e.g. 127.0.0.29:8080 weight 10)",
        error("tether.pool.server.app1", "127.0.0.29"));
    assertEquals(
        "tether.pool.server.app1: 127.0.0.29:8080 weight 300 (expected: <host>:<port> [weight <1-256>], "
            + "e.g. 127.0.0.29:8080 weight 10; endpoint app1: weight 300 (expected: 1-256))",
        error("tether.pool.server.app1", "127.0.0.29:8080 weight 300"));
  }

  @Test
  void nameWithSpaces() {
    assertEquals("tether.pool.name: my pool (expected: letters, digits, '.', '_' or '-')", error("tether.pool.name", "my pool"));
  }

  @Test
  void durationBelowRange() {
    assertEquals("tether.pool.lb-idle-timeout: 5ms (expected: 10ms to 24d)", error("tether.pool.lb-idle-timeout", "5ms"));
  }

  @Test
  void healthCheckSettingsInHaproxyTerms() {
    PoolConfig c = PoolConfig.fromProperties(props(
        "tether.pool.check", "on", "tether.pool.check.inter", "200ms", "tether.pool.check.fall", "1",
        "tether.pool.check.rise", "1", "tether.pool.check.type", "http", "tether.pool.check.http-path", "/health",
        "tether.pool.on-marked-down", "drain", "tether.pool.observe", "none"));
    HealthCheck h = c.healthCheck();
    assertEquals(true, h.enabled());
    assertEquals(Duration.ofMillis(200), h.inter());
    assertEquals(Duration.ofMillis(200), h.fastinter(), "defaults to inter");
    assertEquals(Duration.ofMillis(200), h.downinter(), "defaults to inter");
    assertEquals(Duration.ofMillis(200), h.timeout(), "defaults to inter, as HAProxy without timeout check");
    assertEquals(HealthCheck.Type.HTTP, h.type());
    assertEquals("/health", h.httpPath());
    assertEquals(OnMarkedDown.DRAIN, c.onMarkedDown());
    assertEquals(false, c.observe());
    assertEquals(c, PoolConfig.fromProperties(c.toProperties()));
  }

  @Test
  void checkBooleanNotABoolean() {
    assertEquals("tether.pool.check: maybe (expected: true or false)", error("tether.pool.check", "maybe"));
  }

  @Test
  void checkFallOutOfRange() {
    assertEquals("tether.pool.check.fall: 0 (expected: 1-100)", error("tether.pool.check.fall", "0"));
  }

  @Test
  void checkInterBelowRange() {
    assertEquals("tether.pool.check.inter: 5ms (expected: 10ms to 1h)", error("tether.pool.check.inter", "5ms"));
  }

  @Test
  void checkTypeUnknown() {
    assertEquals("tether.pool.check.type: ldap (expected: tcp or http)", error("tether.pool.check.type", "ldap"));
  }

  @Test
  void checkHttpPathWithoutSlash() {
    assertEquals("tether.pool.check.http-path: health (expected: a path starting with / and without spaces)",
        error("tether.pool.check.http-path", "health"));
  }

  @Test
  void checkHttpMethodLowerCase() {
    assertEquals("tether.pool.check.http-method: get (expected: an upper-case HTTP method such as GET)",
        error("tether.pool.check.http-method", "get"));
  }

  @Test
  void onMarkedDownUnknown() {
    assertEquals("tether.pool.on-marked-down: shutdown-backup-sessions (expected: shutdown-sessions, drain or none)",
        error("tether.pool.on-marked-down", "shutdown-backup-sessions"));
  }

  @Test
  void observeLayer7IsNotSupported() {
    assertEquals("tether.pool.observe: layer7 (expected: layer4 or none)", error("tether.pool.observe", "layer7"));
  }

  @Test
  void retriesOutOfRange() {
    assertEquals("tether.pool.retries: 11 (expected: 0-10)", error("tether.pool.retries", "11"));
  }

  @Test
  void affinityIdleTimeoutBelowRange() {
    assertEquals("tether.pool.affinity.idle-timeout: 500ms (expected: 1s to 1d)",
        error("tether.pool.affinity.idle-timeout", "500ms"));
  }

  @Test
  void misspelledCheckKeySuggestsTheRightOne() {
    assertEquals("tether.pool.check.intr: 2s (expected: a known key; did you mean tether.pool.check.inter?)",
        error("tether.pool.check.intr", "2s"));
  }

  @Test
  void maxLifetimeBelowOneSecond() {
    assertEquals("tether.pool.max-lifetime: 500ms (expected: 1s to 24d)", error("tether.pool.max-lifetime", "500ms"));
  }
}
