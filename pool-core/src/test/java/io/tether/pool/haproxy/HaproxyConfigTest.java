package io.tether.pool.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.Balance;
import io.tether.pool.Endpoint;
import io.tether.pool.OnMarkedDown;
import io.tether.pool.PoolConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** haproxy.cfg as the source of truth, on real files. */
class HaproxyConfigTest {
  @TempDir Path dir;

  private static Path resource(String name) throws Exception {
    return Path.of(HaproxyConfigTest.class.getResource("/haproxy/" + name).toURI());
  }

  private static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("README.md"))) {
      p = p.getParent();
    }
    return p;
  }

  private Path write(String text) throws Exception {
    Path f = dir.resolve("haproxy.cfg");
    Files.writeString(f, text);
    return f;
  }

  private static HaproxyConfig parse(String text) {
    return HaproxyConfig.parse(text, "test.cfg", Map.of("PORT", "8443")::get);
  }

  @Test
  void debiansDefaultConfigParsesAndAProxyAfterItInheritsFiftySeconds() throws Exception {
    Path debian = resource("debian-default.cfg");
    HaproxyConfig cfg = HaproxyConfig.parse(debian);
    assertEquals(List.of(HaproxyConfig.Kind.GLOBAL, HaproxyConfig.Kind.DEFAULTS),
        cfg.sections().stream().map(HaproxyConfig.Section::kind).toList());
    Path withProxy = write(Files.readString(debian) + "\nlisten api\n\tbind 127.0.0.1:8080\n\tserver a 127.0.0.29:80\n");
    HaproxyConfig more = HaproxyConfig.parse(withProxy);
    assertEquals("http", more.mode("api"));
    // No http-keep-alive and no http-request in Debian's defaults: "timeout client 50000" (ms) applies.
    assertEquals(Duration.ofSeconds(50), more.idleTimeout("api"));
    assertEquals(Duration.ofSeconds(45), PoolConfig.builder().haproxy(withProxy, "api").build().evictAfter());
  }

  @Test
  void theInstalledDebianConfigParsesToo() {
    Path installed = Path.of("/etc/haproxy/haproxy.cfg");
    Assumptions.assumeTrue(Files.isReadable(installed), "haproxy package not installed here");
    HaproxyConfig cfg = HaproxyConfig.parse(installed);
    assertTrue(cfg.sections().stream().anyMatch(s -> s.kind() == HaproxyConfig.Kind.DEFAULTS));
  }

  @Test
  void eachProxyInheritsTheLastDefaultsOrTheNamedOne() throws Exception {
    HaproxyConfig cfg = HaproxyConfig.parse(resource("several-defaults.cfg"));
    assertEquals(Duration.ofSeconds(2), cfg.idleTimeout("web"), "http: http-keep-alive first");
    assertEquals(Duration.ofHours(1), cfg.idleTimeout("db"), "tcp: tunnel supersedes client");
    assertEquals(Duration.ofSeconds(10), cfg.idleTimeout("api"), "last defaults http-slow: http-request before client");
    assertEquals(Duration.ofHours(1), cfg.idleTimeout("rpc"), "from tcp-long: tunnel over its own client");
    assertEquals(Duration.ofMinutes(5), cfg.timeout("rpc", "client"), "own value beats inherited");
    assertEquals(Duration.ofSeconds(3), cfg.idleTimeout("own"), "from http-slow, own keep-alive");
    assertEquals(Duration.ofSeconds(45), cfg.idleTimeout("app"), "a backend: what servers meet, timeout server");
    assertEquals(Duration.ofSeconds(45), cfg.idleTimeout("pg"),
        "pg comes after defaults http-slow, so inherits it: mode tcp of its own, no tunnel there, timeout server");
  }

  @Test
  void unitsAsHaproxyReadsThem() {
    HaproxyConfig cfg = parse("defaults\n mode tcp\nlisten a\n bind :1\n timeout client 50000\n"
        + "listen b\n bind :2\n timeout client 9m\nlisten c\n bind :3\n timeout client 1d\n"
        + "listen d\n bind :${PORT}\n timeout client \"250ms\" # quoted, commented\n");
    assertEquals(Duration.ofMillis(50_000), cfg.idleTimeout("a"));
    assertEquals(Duration.ofMinutes(9), cfg.idleTimeout("b"));
    assertEquals(Duration.ofDays(1), cfg.idleTimeout("c"));
    assertEquals(Duration.ofMillis(250), cfg.idleTimeout("d"));
  }

  @Test
  void theFirstSeedsBackendBecomesServersAndChecks() throws Exception {
    Path seed = root().getParent().resolve("shared/seeds/000_437f4d6b51961f21.txt");
    Assumptions.assumeTrue(Files.isReadable(seed), "../shared/seeds not beside this checkout");
    // The report's two fixes, each a fenced block of config lines, used verbatim.
    List<List<String>> blocks = fencedBlocks(Files.readAllLines(seed));
    assertEquals(2, blocks.size(), "two config blocks in the seed: " + blocks);
    HaproxyConfig cfg = parse("backend lbb-v8y2j191\n  mode tcp\n  " + String.join("\n  ", blocks.get(0)) + "\n");
    PoolConfig c = cfg.applyBackend(PoolConfig.builder(), "lbb-v8y2j191").build();
    assertEquals(List.of(new Endpoint("lbb-811tmjow", "192.168.1.29", 81, 1), new Endpoint("lbb-v8y2j191", "192.168.1.38", 81, 1)),
        c.servers());
    assertTrue(c.healthCheck().enabled());
    assertEquals(Duration.ofMillis(200), c.healthCheck().inter());
    assertEquals(1, c.healthCheck().fall());
    assertEquals(1, c.healthCheck().rise());
    assertEquals(OnMarkedDown.SHUTDOWN_SESSIONS, c.onMarkedDown(), "default-server on-marked-down shutdown-sessions");

    // The second block comments default-server out and sets on-marked-down on one server line only.
    HaproxyConfig perServer = parse("backend b\n  " + String.join("\n  ", blocks.get(1)) + "\n");
    assertEquals(2, perServer.servers("b").size());
    assertEquals(OnMarkedDown.NONE, perServer.applyBackend(PoolConfig.builder(), "b").build().onMarkedDown(),
        "one policy per pool, taken from the first checked server, which leaves sessions alone (HAProxy's default)");
  }

  /** Lines between ``` fences, trimmed, without the fences. */
  private static List<List<String>> fencedBlocks(List<String> lines) {
    List<List<String>> out = new java.util.ArrayList<>();
    List<String> current = null;
    for (String l : lines) {
      String t = l.trim();
      if (t.endsWith("```")) {
        if (current == null) {
          current = new java.util.ArrayList<>();
        } else {
          out.add(current);
          current = null;
        }
      } else if (current != null && !t.isEmpty()) {
        current.add(t);
      }
    }
    return out;
  }

  @Test
  void theSecondSeedsTenMinutesBecomeNineMinuteEviction() throws Exception {
    Path seed = root().getParent().resolve("shared/seeds/004_f0f79e5519acd9f5.txt");
    Assumptions.assumeTrue(Files.isReadable(seed), "../shared/seeds not beside this checkout");
    String text = Files.readString(seed);
    for (String option : List.of("option prefer-last-server", "balance leastconn", "http-pretend-keepalive",
        "http-keep-alive", "http-server-close", "http-tunnel")) {
      assertTrue(text.contains(option.replace("option ", "")), "the seed names " + option);
    }
    // The report's fix: prefer-last-server, leastconn, timeout client/server 10 minutes, evict at 9.
    HaproxyConfig cfg = parse("defaults\n  mode http\n  timeout client 10m\n  timeout server 10m\n"
        + "  option http-keep-alive\n  option prefer-last-server\n"
        + "backend netty36\n  balance leastconn\n  server s1 192.168.1.29:81 check\n"
        + "frontend fe\n  bind :81\n  default_backend netty36\n");
    assertEquals(Duration.ofMinutes(10), cfg.idleTimeout("fe"));
    PoolConfig c = PoolConfig.builder().lbIdleTimeout(cfg.idleTimeout("fe")).build();
    assertEquals(Duration.ofMinutes(9), c.evictAfter(), "the IdleConnectionMonitor's 9 of 10 minutes");
    assertEquals(Balance.LEASTCONN, cfg.applyBackend(PoolConfig.builder(), "netty36").build().balance());
  }

  @Test
  void aMissingSectionListsWhatThereIs() {
    HaproxyConfigException e = assertThrows(HaproxyConfigException.class,
        () -> parse("frontend fe\n bind :1\nbackend be\n server a 1.2.3.4:5\n").idleTimeout("api"));
    assertEquals("test.cfg: no frontend, backend or listen section named 'api' (found: frontend fe, backend be)",
        e.getMessage());
  }

  @Test
  void aMissingTimeoutNamesFileLineSectionAndItsDefaults() {
    HaproxyConfigException e = assertThrows(HaproxyConfigException.class,
        () -> parse("defaults\n  mode http\n  timeout connect 5s\n\nlisten api\n  bind :1\n").idleTimeout("api"));
    assertEquals("test.cfg:5: listen api (mode http) sets no timeout http-keep-alive, timeout http-request, "
        + "timeout client, nor does defaults (line 1)", e.getMessage());
    assertEquals(5, e.line());
  }

  @Test
  void anUnparsableValueNamesFileLineAndSection() {
    HaproxyConfigException e = assertThrows(HaproxyConfigException.class,
        () -> parse("defaults\n  timeout client 5x\n"));
    assertEquals("test.cfg:2: defaults: 'timeout client 5x': expected " + io.tether.pool.DurationSyntax.EXPECTED,
        e.getMessage());
  }

  @Test
  void anUnknownNamedDefaultsIsAnError() {
    HaproxyConfigException e = assertThrows(HaproxyConfigException.class,
        () -> parse("defaults base\n mode http\nfrontend fe from nope\n bind :1\n"));
    assertEquals("test.cfg:3: frontend fe: no defaults section named 'nope' before it (named defaults: [base])",
        e.getMessage());
  }

  @Test
  void anUnterminatedQuoteIsAnError() {
    HaproxyConfigException e = assertThrows(HaproxyConfigException.class,
        () -> parse("frontend fe\n  bind \"127.0.0.1:80\n"));
    assertEquals("test.cfg:2: unterminated quote in: bind \"127.0.0.1:80", e.getMessage());
  }

  @Test
  void aMissingFileSaysSo() {
    assertThrows(java.io.UncheckedIOException.class, () -> HaproxyConfig.parse(dir.resolve("nope.cfg")));
  }
}
