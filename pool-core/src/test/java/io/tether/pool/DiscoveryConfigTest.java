package io.tether.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.testing.FakeConnector;
import io.tether.pool.testing.FakeTicker;
import io.tether.pool.testing.ManualScheduler;
import io.tether.pool.testing.Props;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** {@code tether.pool.discovery.*}: servers from DNS, given as properties or by the builder. */
class DiscoveryConfigTest {
  private static Properties props(String... kv) {
    return Props.of(kv);
  }

  private static String error(String... kv) {
    return assertThrows(ConfigException.class, () -> PoolConfig.fromProperties(props(kv))).getMessage();
  }

  @Test
  void offByDefault() {
    Discovery d = PoolConfig.builder().build().discovery();
    assertFalse(d.enabled());
    assertEquals("", d.name());
    assertEquals(0, d.port());
    assertNull(d.resolver());
    assertNull(d.prefix());
    assertEquals(64, d.maxServers());
    assertEquals(Duration.ofSeconds(1), d.ttlMin());
    assertEquals(Duration.ofMinutes(5), d.ttlMax());
    assertEquals(Duration.ofSeconds(30), d.holdObsolete());
    assertEquals(Duration.ofSeconds(30), d.holdNx());
    assertEquals(Duration.ofSeconds(2), d.queryTimeout());
  }

  @Test
  void everyKeyIsRead() {
    Discovery d = PoolConfig.fromProperties(props(
        "tether.pool.discovery.dns", "api.internal.example:8443",
        "tether.pool.discovery.resolver", "10.0.0.2:5353",
        "tether.pool.discovery.prefix", "web",
        "tether.pool.discovery.max-servers", "12",
        "tether.pool.discovery.ttl-min", "500ms",
        "tether.pool.discovery.ttl-max", "30s",
        "tether.pool.discovery.hold-obsolete", "0s",
        "tether.pool.discovery.hold-nx", "2m",
        "tether.pool.discovery.query-timeout", "250ms")).discovery();
    assertTrue(d.enabled());
    assertFalse(d.srv());
    assertEquals("tether.pool.discovery.dns", d.key());
    assertEquals("api.internal.example", d.name());
    assertEquals(8443, d.port());
    assertEquals(new InetSocketAddress("10.0.0.2", 5353), d.resolver());
    assertEquals("web", d.prefix());
    assertEquals(12, d.maxServers());
    assertEquals(Duration.ofMillis(500), d.ttlMin());
    assertEquals(Duration.ofSeconds(30), d.ttlMax());
    assertEquals(Duration.ZERO, d.holdObsolete());
    assertEquals(Duration.ofMinutes(2), d.holdNx());
    assertEquals(Duration.ofMillis(250), d.queryTimeout());
  }

  @Test
  void srvNamesAndResolverForms() {
    Discovery d = PoolConfig.fromProperties(props("tether.pool.discovery.dns-srv", "_http._tcp.api.internal.",
        "tether.pool.discovery.resolver", "[fd00::2]:53")).discovery();
    assertTrue(d.srv());
    assertEquals("tether.pool.discovery.dns-srv", d.key());
    assertEquals("_http._tcp.api.internal.", d.name());
    assertEquals(0, d.port());
    assertEquals(new InetSocketAddress("fd00::2", 53), d.resolver());
    assertEquals(new InetSocketAddress("10.1.2.3", 53),
        PoolConfig.fromProperties(props("tether.pool.discovery.dns", "a.b:1", "tether.pool.discovery.resolver", "10.1.2.3"))
            .discovery().resolver(), "port 53 unless given");
  }

  @Test
  void badValuesNameKeyValueAndWhatIsExpected() {
    String hostPort = "(expected: a DNS name and a port 1-65535, such as api.internal:8080)";
    assertEquals("tether.pool.discovery.dns: api.internal " + hostPort, error("tether.pool.discovery.dns", "api.internal"));
    assertEquals("tether.pool.discovery.dns: api.internal:0 " + hostPort, error("tether.pool.discovery.dns", "api.internal:0"));
    assertEquals("tether.pool.discovery.dns: api.internal:65536 " + hostPort,
        error("tether.pool.discovery.dns", "api.internal:65536"));
    assertEquals("tether.pool.discovery.dns: bad_name.internal:80 " + hostPort,
        error("tether.pool.discovery.dns", "bad_name.internal:80"));
    assertEquals("tether.pool.discovery.dns: -api.internal:80 " + hostPort, error("tether.pool.discovery.dns", "-api.internal:80"));
    assertEquals("tether.pool.discovery.dns: a..b:80 " + hostPort, error("tether.pool.discovery.dns", "a..b:80"));
    assertEquals("tether.pool.discovery.dns-srv: api.internal (expected: an SRV name such as _http._tcp.api.internal)",
        error("tether.pool.discovery.dns-srv", "api.internal"));
    String ip = "(expected: an IP address with an optional port, such as 10.0.0.2, 10.0.0.2:5353 or [fd00::2]:53)";
    assertEquals("tether.pool.discovery.resolver: dns.example " + ip, error("tether.pool.discovery.resolver", "dns.example"));
    assertEquals("tether.pool.discovery.resolver: 10.0.0.256 " + ip, error("tether.pool.discovery.resolver", "10.0.0.256"));
    assertEquals("tether.pool.discovery.resolver: 10.0.0.2:70000 " + ip, error("tether.pool.discovery.resolver", "10.0.0.2:70000"));
    assertEquals("tether.pool.discovery.max-servers: 0 (expected: an integer from 1 to 10000)",
        error("tether.pool.discovery.max-servers", "0"));
    assertEquals("tether.pool.discovery.ttl-min: 50ms (expected: 100ms to 1h)", error("tether.pool.discovery.ttl-min", "50ms"));
    assertEquals("tether.pool.discovery.prefix: a/b (expected: 1-32 characters from A-Z a-z 0-9 . _ -)",
        error("tether.pool.discovery.prefix", "a/b"));
    assertEquals("tether.pool.discovery.ttl-max: 1s (expected: at least tether.pool.discovery.ttl-min 2s)",
        error("tether.pool.discovery.ttl-min", "2s", "tether.pool.discovery.ttl-max", "1s"));
    assertEquals("tether.pool.discovery.dns-srv: _http._tcp.b (expected: not both tether.pool.discovery.dns (a:80) and "
            + "tether.pool.discovery.dns-srv; give one)",
        error("tether.pool.discovery.dns", "a:80", "tether.pool.discovery.dns-srv", "_http._tcp.b"));
    assertEquals("tether.pool.server.app1: 10.0.0.1:80 (expected: no fixed server when the servers come from "
            + "tether.pool.discovery.dns api)",
        error("tether.pool.discovery.dns", "api:80", "tether.pool.server.app1", "10.0.0.1:80"));
    assertEquals("tether.pool.discovery.dns: api:-1 " + hostPort,
        assertThrows(ConfigException.class, () -> Discovery.builder().dns("api", -1)).getMessage(),
        "the builder checks as the properties do");
  }

  @Test
  void builderAndPropertiesAgreeAndRoundTrip() {
    PoolConfig built = PoolConfig.builder().discovery(Discovery.builder().dns("api.internal", 8080)
        .resolver(new InetSocketAddress("127.0.0.60", 5353)).prefix("api").maxServers(8)
        .ttl(Duration.ofMillis(200), Duration.ofSeconds(2)).holdObsolete(Duration.ZERO).holdNx(Duration.ofSeconds(5))
        .queryTimeout(Duration.ofMillis(300)).build()).build();
    PoolConfig read = PoolConfig.fromProperties(built.toProperties());
    assertEquals(built, read);
    assertEquals(built.discovery(), read.discovery());
    assertEquals("127.0.0.60:5353", built.toProperties().getProperty("tether.pool.discovery.resolver"));
    assertEquals(built.discovery(), built.toBuilder().build().discovery(), "toBuilder keeps the group");
  }

  @Test
  void aPoolWithDiscoveryStartsWithNoServerAndCannotSwitchItLive() {
    FakeTicker ticker = new FakeTicker();
    ManualScheduler scheduler = new ManualScheduler(ticker);
    PoolConfig config = PoolConfig.fromProperties(props("tether.pool.discovery.dns", "api.internal:8080"));
    try (ConnectionPool<FakeConnector.Conn> pool = ConnectionPool.builder(new FakeConnector()).config(config)
        .scheduler(scheduler).ticker(ticker).build()) {
      assertEquals(0, pool.stats().servers().size());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.reconfigure(
          PoolConfig.fromProperties(props("tether.pool.discovery.dns", "other.internal:8080"))));
      assertTrue(e.getMessage().startsWith("tether.pool.discovery.dns cannot change on a live pool"), e.getMessage());
    }
    IllegalStateException none = assertThrows(IllegalStateException.class, () -> ConnectionPool
        .builder(new FakeConnector()).config(PoolConfig.builder().build()).scheduler(scheduler).build());
    assertTrue(none.getMessage().contains("has no server"), none.getMessage());
  }
}
