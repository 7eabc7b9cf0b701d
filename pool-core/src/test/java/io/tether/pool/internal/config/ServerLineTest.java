package io.tether.pool.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.ConfigException;
import io.tether.pool.Endpoint;
import io.tether.pool.PoolConfig;
import java.net.InetSocketAddress;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * {@code tether.pool.server.<name>=<host>:<port> [weight n] [backup | priority n] [disabled] [no-check]
 * [addr host] [port n]}: each option at its range's ends, what is refused, and the line written back by
 * {@code toProperties()} reading back the same server.
 */
class ServerLineTest {

  private static Endpoint server(String line) {
    Properties p = new Properties();
    p.setProperty("tether.pool.server.app1", line);
    return PoolConfig.fromProperties(p).servers().get(0);
  }

  private static ConfigException refused(String line) {
    return assertThrows(ConfigException.class, () -> server(line), line);
  }

  private static void roundTrip(Endpoint e) {
    String written = PropertyReader.formatServer(e);
    assertEquals(e, server(written), written);
  }

  @Test
  void weights() {
    assertEquals(0, server("10.0.0.1:80 weight 0").weight());
    assertEquals(256, server("10.0.0.1:80 weight 256").weight());
    assertEquals(1, server("10.0.0.1:80").weight());
    for (String bad : new String[] {"10.0.0.1:80 weight 257", "10.0.0.1:80 weight", "10.0.0.1:80 weight -1",
        "10.0.0.1:80 weight x"}) {
      assertTrue(refused(bad).getMessage().contains("weight 0-256"), bad);
    }
  }

  @Test
  void priorities() {
    assertEquals(0, server("10.0.0.1:80 priority 0").priority());
    assertEquals(1000, server("10.0.0.1:80 priority 1000").priority());
    assertEquals(1, server("10.0.0.1:80 backup").priority());
    for (String bad : new String[] {"10.0.0.1:80 priority 1001", "10.0.0.1:80 priority"}) {
      assertTrue(refused(bad).getMessage().contains("priority 0-1000"), bad);
    }
  }

  @Test
  void flagsAndCheckAddress() {
    Endpoint e = server("10.0.0.1:80 disabled no-check");
    assertTrue(e.disabled());
    assertFalse(e.checked());
    Endpoint addr = server("10.0.0.1:80 addr 10.0.0.9");
    assertEquals(InetSocketAddress.createUnresolved("10.0.0.9", 80), addr.checkAddress(), "port: the server's");
    Endpoint port = server("10.0.0.1:80 port 8081");
    assertEquals(InetSocketAddress.createUnresolved("10.0.0.1", 8081), port.checkAddress(), "host: the server's");
    Endpoint both = server("10.0.0.1:80 addr health.example port 1");
    assertEquals(InetSocketAddress.createUnresolved("health.example", 1), both.checkAddress());
    Endpoint v6 = server("10.0.0.1:80 addr [fd00::9] port 65535");
    assertEquals(InetSocketAddress.createUnresolved("fd00::9", 65535), v6.checkAddress());
    for (String bad : new String[] {"10.0.0.1:80 addr", "10.0.0.1:80 addr [fd00::9", "10.0.0.1:80 addr fd00::9",
        "10.0.0.1:80 addr bad_host!", "10.0.0.1:80 addr [10.0.0.9]"}) {
      assertTrue(refused(bad).getMessage().contains("addr <host>"), bad);
    }
    for (String bad : new String[] {"10.0.0.1:80 port 0", "10.0.0.1:80 port 65536", "10.0.0.1:80 port"}) {
      assertTrue(refused(bad).getMessage().contains("port 1-65535"), bad);
    }
    assertTrue(refused("10.0.0.1:80 heavy").getMessage().contains("'heavy' is none of these"));
  }

  @Test
  void everyServerLineReadsBackAsWritten() {
    for (String line : new String[] {"10.0.0.1:80", "10.0.0.1:80 weight 0", "10.0.0.1:80 weight 256 backup",
        "app.example:8080 priority 7 disabled no-check", "[fd00::1]:443 addr [fd00::9] port 8443",
        "10.0.0.1:80 addr health.example", "10.0.0.1:80 port 9000", "10.0.0.1:80 priority 0"}) {
      roundTrip(server(line));
    }
  }
}
