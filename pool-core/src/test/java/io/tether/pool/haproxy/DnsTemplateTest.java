package io.tether.pool.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.PoolConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code server-template ... resolvers} lines read with their resolvers sections, HAProxy's defaults applied. */
class DnsTemplateTest {
  private static HaproxyConfig cfg(String text) {
    return HaproxyConfig.parse(text, "haproxy.cfg", k -> null);
  }

  @Test
  void templatesAndTheirResolversAreRead() {
    HaproxyConfig c = cfg("resolvers dns\n  nameserver ns1 127.0.0.60:5353\n  nameserver ns2 127.0.0.61:53\n"
        + "  hold valid 20s\n  hold obsolete 5s\n  timeout resolve 2s\n\n"
        + "backend be\n  mode http\n  server static1 127.0.0.29:8080 check\n"
        + "  server-template web 1-5 api.test:8080 resolvers dns init-addr none check\n"
        + "  server-template svc 3 _http._tcp.svc.test resolvers dns\n");
    List<DnsTemplate> t = c.discovery("be");
    assertEquals(2, t.size());
    DnsTemplate web = t.get(0);
    assertEquals("web", web.prefix());
    assertEquals(5, web.servers());
    assertEquals("api.test", web.name());
    assertEquals(8080, web.port());
    assertEquals(false, web.srv());
    assertEquals(List.of(new InetSocketAddress("127.0.0.60", 5353), new InetSocketAddress("127.0.0.61", 53)),
        web.nameServers());
    assertEquals(Duration.ofSeconds(2), web.resolveEvery());
    assertEquals(Duration.ofSeconds(20), web.holdValid());
    assertEquals(Duration.ofSeconds(5), web.holdObsolete());
    assertEquals(Duration.ofSeconds(30), web.holdNx(), "HAProxy's default for hold nx");
    assertEquals(Duration.ofSeconds(1), web.queryTimeout(), "HAProxy's default timeout retry");
    assertEquals(11, web.line());
    DnsTemplate svc = t.get(1);
    assertTrue(svc.srv());
    assertEquals(0, svc.port());
    assertEquals(3, svc.servers());

    PoolConfig fromBackend = PoolConfig.builder().apply(c.backend("be")).build();
    assertEquals(List.of("static1"), fromBackend.servers().stream().map(e -> e.name()).toList(),
        "the templates are left to discovery");
    assertTrue(c.explainBackend("be").explanation().stream().anyMatch(l -> l.contains("resolved from DNS")));
  }

  @Test
  void defaultsAreHaproxys() {
    HaproxyConfig c = cfg("resolvers dns\n  parse-resolv-conf\n\nbackend be\n"
        + "  server-template web 2 api.test:80 resolvers dns\n");
    DnsTemplate t = c.discovery("be").get(0);
    assertEquals(List.of(), t.nameServers(), "parse-resolv-conf: the platform's");
    assertEquals(Duration.ofSeconds(1), t.resolveEvery());
    assertEquals(Duration.ofSeconds(10), t.holdValid());
    assertEquals(Duration.ZERO, t.holdObsolete());
  }

  @Test
  void mistakesNameTheLine() {
    HaproxyConfigException unknown = assertThrows(HaproxyConfigException.class, () -> cfg(
        "backend be\n  server-template web 2 api.test:80 resolvers nope\n").discovery("be"));
    assertTrue(unknown.getMessage().startsWith("haproxy.cfg:2:"), unknown.getMessage());
    assertTrue(unknown.getMessage().contains("resolvers 'nope'"), unknown.getMessage());
    HaproxyConfigException noPort = assertThrows(HaproxyConfigException.class, () -> cfg(
        "resolvers dns\n  nameserver a 127.0.0.60:53\nbackend be\n  server-template web 2 api.test resolvers dns\n")
        .discovery("be"));
    assertTrue(noPort.getMessage().contains("without a port"), noPort.getMessage());
    assertEquals(List.of(), cfg("backend be\n  server a 127.0.0.29:80\n").discovery("be"));
  }
}
