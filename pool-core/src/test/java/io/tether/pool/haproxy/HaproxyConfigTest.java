package io.tether.pool.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.Balance;
import io.tether.pool.Endpoint;
import io.tether.pool.HealthCheck;
import io.tether.pool.OnMarkedDown;
import io.tether.pool.OnMarkedUp;
import io.tether.pool.PoolConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * haproxy.cfg read as HAProxy 2.6 reads it. Each expectation here was first checked against the real
 * binary ({@code haproxy -c}, and for timeouts the idle close measured by HaproxyDifferentialTest).
 */
class HaproxyConfigTest {
  @TempDir Path dir;

  private static final Map<String, String> ENV = Map.of("PORT", "8443", "T", "2s", "LIST", "a b  c");

  private static HaproxyConfig parse(String text) {
    return HaproxyConfig.parse(text, "test.cfg", ENV::get);
  }

  private static Duration idle(String text, String fe) {
    return parse(text).clientIdleTimeout(fe).value();
  }

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

  // ------------------------------------------------------------ the measured table of issue 13

  @Test
  void httpTimeoutClientCapsKeepAliveAndHttpRequest() {
    assertEquals(Duration.ofSeconds(2), idle("defaults\n mode http\n timeout client 2s\n timeout http-keep-alive 6s\n"
        + "listen fe\n bind :1\n", "fe"));
    assertEquals(Duration.ofSeconds(2), idle("defaults\n mode http\n timeout client 2s\n timeout http-request 6s\n"
        + "listen fe\n bind :1\n", "fe"));
    assertEquals(Duration.ofMillis(500), idle("defaults\n mode http\n timeout client 2s\n timeout http-keep-alive 500\n"
        + "listen fe\n bind :1\n", "fe"), "a shorter keep-alive wins");
    assertEquals(Duration.ofMillis(700), idle("defaults\n mode http\n timeout client 2s\n timeout http-request 700ms\n"
        + "listen fe\n bind :1\n", "fe"), "without keep-alive, http-request applies between requests too");
  }

  @Test
  void zeroMeansUnset() {
    HaproxyConfig cfg = parse("defaults\n mode http\n timeout client 3s\n timeout http-keep-alive 0\n"
        + "listen fe\n bind :1\n");
    assertEquals(Duration.ofSeconds(3), cfg.clientIdleTimeout("fe").value());
    assertTrue(cfg.clientIdleTimeout("fe").explanation().get(0).contains("timeout http-keep-alive 0 at defaults, line 4"
        + " means unset"), cfg.clientIdleTimeout("fe").explanation().toString());
  }

  @Test
  void tcpTakesTheFirstSideToTimeOutOrTheTunnel() {
    String base = "defaults\n mode tcp\n timeout connect 1s\n";
    assertEquals(Duration.ofMillis(1500), idle(base + " timeout client 6s\n timeout server 1500ms\nlisten fe\n bind :1\n"
        + " server s 127.0.0.1:9\n", "fe"));
    assertEquals(Duration.ofSeconds(4), idle(base + " timeout client 6s\n timeout server 1500ms\n timeout tunnel 4s\n"
        + "listen fe\n bind :1\n server s 127.0.0.1:9\n", "fe"), "a tunnel timeout replaces both, even when longer");
    assertEquals(Duration.ofMillis(500), idle(base + "frontend fe\n bind :1\n timeout client 5s\n default_backend be\n"
        + "backend be\n timeout tunnel 500ms\n server s 127.0.0.1:9\n", "fe"), "the backend's tunnel counts");
  }

  @Test
  void frontendsAndBackendsHaveSeparateNames() {
    String cfg = "defaults\n mode http\n timeout client 30s\n timeout connect 1s\n"
        + "frontend api\n bind :1\n timeout http-keep-alive 10s\n default_backend api\n"
        + "backend api\n timeout server 30s\n server s 127.0.0.1:9\n";
    assertEquals(Duration.ofSeconds(10), idle(cfg, "api"));
    assertEquals(List.of("api"), parse(cfg).frontends());
    assertEquals(List.of("api"), parse(cfg).backends());
  }

  // ------------------------------------------------------------ what HAProxy ignores

  @Test
  void keywordsHaproxyIgnoresInASectionAreIgnoredWithAWarning() {
    HaproxyConfig cfg = parse("frontend fe\n bind :1\n mode tcp\n timeout client 5s\n timeout tunnel 1s\n"
        + " timeout server 1s\n default_backend be\nbackend be\n mode tcp\n server s 127.0.0.1:9\n");
    assertEquals(Duration.ofSeconds(5), cfg.clientIdleTimeout("fe").value(), "the frontend's tunnel and server do nothing");
    assertTrue(cfg.warnings().contains("test.cfg:5: 'timeout tunnel' will be ignored because frontend fe has no backend capability"),
        cfg.warnings().toString());
    assertTrue(cfg.warnings().contains("test.cfg:6: 'timeout server' will be ignored because frontend fe has no backend capability"));
  }

  @Test
  void timeoutsAreInheritedByCapability() {
    // A backend takes no timeout client from defaults; a frontend no timeout server or tunnel.
    HaproxyConfig cfg = parse("defaults\n mode tcp\n timeout client 3s\n timeout server 2s\n timeout tunnel 9s\n"
        + "frontend fe\n bind :1\n default_backend be\nbackend be\n timeout tunnel 0\n server s 127.0.0.1:9\n");
    assertEquals(Duration.ofSeconds(2), cfg.clientIdleTimeout("fe").value(), "tunnel 0 in the backend unsets it");
  }

  @Test
  void noTimeoutClientInHttpMeansNeverAndTheBuilderIsLeftAlone() {
    HaproxyConfig cfg = parse("defaults\n mode http\n timeout http-keep-alive 1s\nlisten fe\n bind :1\n");
    assertNull(cfg.clientIdleTimeout("fe").value());
    assertTrue(cfg.clientIdleTimeout("fe").explanation().get(0).startsWith("never"));
    PoolConfig c = PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(1)).apply(cfg.frontend("fe")).build();
    assertEquals(Duration.ofMinutes(1), c.eviction().lbIdleTimeout());
  }

  @Test
  void beforeTheFirstRequestOnlyHttpRequestCaps() {
    HaproxyConfig cfg = parse("defaults\n mode http\n timeout client 5s\n timeout http-keep-alive 1s\n"
        + " timeout http-request 3s\nlisten fe\n bind :1\n");
    assertEquals(Duration.ofSeconds(1), cfg.clientIdleTimeout("fe").value());
    assertEquals(Duration.ofSeconds(3), cfg.newConnectionIdleTimeout("fe").value());
  }

  @Test
  void aTcpFrontendBeforeAnHttpBackendFollowsHttpRules() {
    HaproxyConfig cfg = parse("defaults\n timeout client 5s\n timeout server 1s\n timeout http-keep-alive 2s\n"
        + "frontend fe\n bind :1\n mode tcp\n default_backend be\nbackend be\n mode http\n server s 127.0.0.1:9\n");
    assertEquals(Duration.ofSeconds(2), cfg.clientIdleTimeout("fe").value());
  }

  @Test
  void useBackendRulesTakeTheShortestCandidateAndSaySo() {
    HaproxyConfig cfg = parse("defaults\n mode tcp\n timeout client 5s\n"
        + "frontend fe\n bind :1\n use_backend slow if { src 10.0.0.1 }\n default_backend quick\n"
        + "backend slow\n timeout server 4s\n server s 127.0.0.1:9\n"
        + "backend quick\n timeout server 1s\n server s 127.0.0.1:9\n");
    Derivation<Duration> d = cfg.clientIdleTimeout("fe");
    assertEquals(Duration.ofSeconds(1), d.value());
    assertTrue(d.explanation().get(0).contains("shortest of its 2 candidates"), d.explanation().toString());
  }

  @Test
  void anHttpFrontendCannotUseATcpBackend() {
    HaproxyConfigException e = assertThrows(HaproxyConfigException.class, () -> parse(
        "frontend fe\n bind :1\n mode http\n default_backend be\nbackend be\n mode tcp\n server s 127.0.0.1:9\n"));
    assertEquals(6, e.line());
  }

  @Test
  void namedDefaultsAndFrom() throws Exception {
    HaproxyConfig cfg = HaproxyConfig.read(resource("several-defaults.cfg"));
    assertEquals(Duration.ofSeconds(2), cfg.clientIdleTimeout("web").value(), "http: http-keep-alive below client");
    assertEquals(Duration.ofSeconds(45), cfg.clientIdleTimeout("db").value(),
        "tcp: the tunnel is the backend's, and pg comes after defaults http-slow, which has none: its timeout server");
    assertEquals(Duration.ofSeconds(10), cfg.clientIdleTimeout("api").value(), "last defaults: http-request below client");
    assertEquals(Duration.ofHours(1), cfg.clientIdleTimeout("rpc").value(), "from tcp-long: tunnel over client and server");
    assertEquals(Duration.ofSeconds(3), cfg.clientIdleTimeout("own").value(), "from http-slow, own keep-alive");
  }

  @Test
  void aDefaultsSectionWithoutFromStartsAfresh() {
    HaproxyConfig cfg = parse("defaults\n mode http\n timeout client 2s\ndefaults\n timeout server 1s\n"
        + "listen fe\n bind :1\n server s 127.0.0.1:9\n");
    assertEquals(Duration.ofSeconds(1), cfg.clientIdleTimeout("fe").value(), "mode tcp again, and no timeout client");
    HaproxyConfig from = parse("defaults base\n mode http\n timeout client 2s\ndefaults from base\n timeout server 1s\n"
        + "listen fe\n bind :1\n");
    assertEquals(Duration.ofSeconds(2), from.clientIdleTimeout("fe").value(), "defaults from base keeps mode http");
  }

  // ------------------------------------------------------------ the language

  @Test
  void environmentExpandsInsideDoubleQuotesOnly() {
    HaproxyConfig cfg = parse("defaults\n mode http\n timeout client \"$T\"\n timeout http-request \"${UNSET-700ms}\"\n"
        + "listen fe\n bind \":${PORT}\"\n");
    assertEquals(Duration.ofMillis(700), cfg.clientIdleTimeout("fe").value());
    assertEquals(List.of("bind", ":8443"), cfg.sections().get(1).directives().get(0).words());
    HaproxyConfigException e = assertThrows(HaproxyConfigException.class,
        () -> parse("defaults\n timeout client ${T}\n"), "unquoted ${T} is literal text, as HAProxy reads it");
    assertEquals(2, e.line());
    assertTrue(e.getMessage().contains("unexpected character '$'"), e.getMessage());
    HaproxyConfig single = parse("listen fe\n bind '${PORT}' \"${LIST[*]}\" x\\ y \"a\\\"b\" \\x41\n");
    assertEquals(List.of("bind", "${PORT}", "a", "b", "c", "x y", "a\"b", "A"),
        single.sections().get(0).directives().get(0).words());
  }

  @Test
  void anEmptyExpansionEndsTheWordsAsHaproxysParsersDo() {
    HaproxyConfigException e = assertThrows(HaproxyConfigException.class,
        () -> parse("defaults\n timeout client \"$UNSET\"\n"));
    assertTrue(e.getMessage().contains("expects an integer value"), e.getMessage());
    HaproxyConfig cfg = parse("defaults\n \"$UNSET\" anything goes here\n mode http\n");
    assertEquals(1, cfg.sections().get(0).directives().size(), "a line whose first word is empty is empty");
  }

  @Test
  void everySectionTypeIsASectionOfItsOwn() {
    String text = "defaults\n mode http\n timeout client 4s\n";
    for (String s : List.of("log-forward lf\n dgram-bind 127.0.0.1:5514\n log ring@r local0\n",
        "ring r\n size 32764\n timeout client 1s\n", "namespace_list\n namespace x\n", "peers p\n peer a 127.0.0.1:1\n",
        "resolvers dns\n nameserver n 127.0.0.1:53\n timeout resolve 1s\n", "userlist u\n user a insecure-password b\n",
        "mailers m\n mailer x 127.0.0.1:25\n", "program p\n command true\n", "http-errors e\n errorfile 503 /dev/null\n",
        "cache c\n total-max-size 4\n", "fcgi-app f\n docroot /\n")) {
      text += s;
    }
    HaproxyConfig cfg = parse(text + "listen fe\n bind :1\n");
    assertEquals(Duration.ofSeconds(4), cfg.clientIdleTimeout("fe").value(), "the ring's timeout client is the ring's");
    assertEquals(13, cfg.sections().size());
  }

  @Test
  void conditionalBlocksAsHaproxyEvaluatesThem() {
    HaproxyConfig cfg = parse(".if defined(PORT)\n.notice \"port set\"\n.endif\n"
        + "defaults\n mode http\n.if 0\n timeout client 1s\n.elif streq(\"$T\",2s) && !feature(QUIC)\n timeout client 2s\n"
        + ".else\n timeout client 3s\n.endif\n"
        + ".if version_atleast(2.6) && version_before(2.7-dev0) || 0\n timeout http-request 1500\n.endif\n"
        + ".if ssllib_name_startswith(OpenSSL) && openssl_version_atleast(3.0.0)\n.if 0\n timeout client 9s\n.endif\n.endif\n"
        + "listen fe\n bind :1\n");
    assertEquals(Duration.ofMillis(1500), cfg.clientIdleTimeout("fe").value());
    assertEquals(List.of("test.cfg:2: .notice: port set"), cfg.warnings());
    HaproxyConfig other = HaproxyConfig.parse(("defaults\n.if version_atleast(2.8)\n timeout client 1s\n.else\n"
        + " timeout client 2s\n.endif\nlisten fe\n bind :1\n mode http\n").getBytes(StandardCharsets.UTF_8), "x.cfg",
        ENV::get, new HaproxyBuild("2.8.3", "+OPENSSL", "OpenSSL", "3.0.11"));
    assertEquals(Duration.ofSeconds(1), other.clientIdleTimeout("fe").value(), "evaluated for the build given");
  }

  @Test
  void conditionalErrorsAreHaproxysErrors() {
    assertEquals(3, assertThrows(HaproxyConfigException.class, () -> parse("defaults\n mode http\n.endif\n")).line());
    assertTrue(assertThrows(HaproxyConfigException.class, () -> parse(".if 1\ndefaults\n")).getMessage()
        .contains("non-terminated '.if'"));
    assertTrue(assertThrows(HaproxyConfigException.class, () -> parse(".if nosuch(1)\n.endif\n")).getMessage()
        .contains("unparsable conditional expression"));
    assertTrue(assertThrows(HaproxyConfigException.class, () -> parse(".alert \"stop here\"\n")).getMessage()
        .contains("stop here"));
    assertTrue(assertThrows(HaproxyConfigException.class, () -> parse(".if 1\n.else\n.else\n.endif\n")).getMessage()
        .contains("'.else' after '.else'"));
    HaproxyConfig ok = parse(".if 0\n.alert \"not read\"\n.endif\n");
    assertEquals(0, ok.sections().size());
  }

  @Test
  void bytesAreReadAsHaproxyReadsThem() throws Exception {
    Path f = dir.resolve("latin1.cfg");
    byte[] text = "defaults # caf\u00e9 in Latin-1\n mode http\n timeout client 2s\nlisten fe\n bind :1\n"
        .getBytes(StandardCharsets.ISO_8859_1);
    Files.write(f, text);
    assertEquals(Duration.ofSeconds(2), HaproxyConfig.read(f).clientIdleTimeout("fe").value());
    Files.write(f, "defaults\r\n mode http\r\n timeout client 2s\r\nlisten fe\r\n bind :1\r\n".getBytes(StandardCharsets.US_ASCII));
    assertEquals(Duration.ofSeconds(2), HaproxyConfig.read(f).clientIdleTimeout("fe").value(), "CRLF line ends");
    HaproxyConfigException e = assertThrows(HaproxyConfigException.class, () -> parse("defaults\n mode http"));
    assertEquals(2, e.line());
    assertTrue(e.getMessage().contains("missing LF on last line"), e.getMessage());
  }

  @Test
  void timesAsHaproxyReadsThem() {
    String base = "defaults\n mode tcp\n timeout server 1d\nlisten fe\n bind :1\n server s 127.0.0.1:9\n timeout client ";
    assertEquals(Duration.ofMillis(50_000), idle(base + "50000\n", "fe"));
    assertEquals(Duration.ofMinutes(9), idle(base + "9m\n", "fe"));
    assertEquals(Duration.ofMillis(2), idle(base + "1500us\n", "fe"), "rounded up to whole milliseconds");
    assertEquals(Duration.ofSeconds(10), idle(base + "10sx\n", "fe"), "trailing characters: a warning only");
    assertEquals(Duration.ofMillis(1), idle(base + "500us\n", "fe"), "rounded up, never below 1ms");
    assertTrue(assertThrows(HaproxyConfigException.class, () -> idle(base + "25d\n", "fe")).getMessage()
        .contains("overflow"));
    assertTrue(assertThrows(HaproxyConfigException.class, () -> idle(base + "10 s\n", "fe")).getMessage()
        .contains("unexpected extra argument"));
  }

  @Test
  void badLinesAreTypedErrorsNamingFileLineAndText() {
    for (String[] c : new String[][] {
        {"defaults\n balance\n", "2", "'balance' expects an algorithm"},
        {"defaults\n mode\n", "2", "unknown proxy mode ''"},
        {"frontend fe\n bind :1\n timeout clitimeout 5s\n", "3", "'timeout' supports"},
        {"backend be\n server a 127.0.0.1:80 fall x3\n", "2", "'fall' has to be > 0"},
        {"backend be\n server a 127.0.0.1:80 weight 300\n", "2", "not within 0 and 256"},
        {"backend be\n server a 127.0.0.1:80 nosuch\n", "2", "unknown keyword 'nosuch'"},
        {"backend be\n server a 127.0.0.1:80\n server a 127.0.0.2:80\n", "3", "another server named 'a'"},
        {"defaults\n server a 127.0.0.1:80\n", "2", "not allowed in 'defaults'"},
        {"frontend fe\n bind :1\n server a 127.0.0.1:80\n", "3", "no backend capability"},
        {"frontend fe from nope\n bind :1\n", "1", "defaults section 'nope' not found"},
        {"frontend fe\n bind \"127.0.0.1:80\n", "2", "unmatched quote"},
        {"mode http\n", "1", "out of section"},
        {"frontend fe\nfrontend fe\n", "2", "same name"},
        {"backend be\n server-template w 3 127.0.0.1:80\n server w2 127.0.0.1:81\n", "3", "another server named 'w2'"},
        {"frontend fe\n bind :1\n default_backend nope\n", "3", "unable to find required default_backend"},
    }) {
      HaproxyConfigException e = assertThrows(HaproxyConfigException.class, () -> parse(c[0]), c[0]);
      assertEquals(Integer.parseInt(c[1]), e.line(), e.getMessage());
      assertTrue(e.getMessage().startsWith("test.cfg:" + c[1] + ": "), e.getMessage());
      assertTrue(e.getMessage().contains(c[2]), e.getMessage());
      assertFalse(e.text().isEmpty(), "the line's text is quoted: " + e.getMessage());
    }
  }

  // ------------------------------------------------------------ servers

  private static PoolConfig backend(String text, String be) {
    return PoolConfig.builder().apply(parse(text).backend(be)).build();
  }

  @Test
  void flagsNeverSwallowTheNextWord() {
    for (String flags : List.of("check-ssl check", "send-proxy-v2 check", "tfo check", "agent-check agent-port 9999 check",
        "ssl verify none check", "source 127.0.0.1 usesrc clientip check", "check no-tls-tickets")) {
      PoolConfig c = backend("backend be\n server a 127.0.0.1:80 " + flags + "\n", "be");
      assertTrue(c.healthCheck().enabled(), flags);
      assertTrue(c.servers().get(0).checked(), flags);
    }
  }

  @Test
  void defaultServerAndNoOverrides() {
    PoolConfig c = backend("defaults\n default-server check inter 300ms fall 2\nbackend be\n default-server rise 4\n"
        + " server a 127.0.0.1:80\n server b 127.0.0.2:80 no-check\n default-server weight 7\n server c 127.0.0.3:80\n", "be");
    List<Endpoint> s = c.servers();
    assertTrue(s.get(0).checked());
    assertFalse(s.get(1).checked(), "no-check beats default-server check");
    assertEquals(1, s.get(0).weight(), "default-server lines after a server do not reach back");
    assertEquals(7, s.get(2).weight());
    assertEquals(Duration.ofMillis(300), c.healthCheck().inter());
    assertEquals(2, c.healthCheck().fall());
    assertEquals(4, c.healthCheck().rise());
  }

  @Test
  void backupWeightZeroDisabledAndTemplates() {
    PoolConfig c = backend("backend be\n server a 127.0.0.1:80 weight 0\n server b1 127.0.0.2:80 backup\n"
        + " server b2 127.0.0.3:80 backup\n server d 127.0.0.4:80 disabled\n server-template w 2-3 10.0.0.1:81 weight 5\n", "be");
    Map<String, Endpoint> byName = new java.util.LinkedHashMap<>();
    c.servers().forEach(e -> byName.put(e.name(), e));
    assertEquals(List.of("a", "b1", "b2", "d", "w2", "w3"), List.copyOf(byName.keySet()));
    assertEquals(0, byName.get("a").weight());
    assertEquals(1, byName.get("b1").priority(), "the first backup");
    assertEquals(2, byName.get("b2").priority(), "used only when b1 is down too: HAProxy uses the first backup up");
    assertTrue(byName.get("d").disabled());
    assertEquals(5, byName.get("w3").weight());
    PoolConfig all = backend("backend be\n option allbackups\n server a 127.0.0.1:80\n server b1 127.0.0.2:80 backup\n"
        + " server b2 127.0.0.3:80 backup\n", "be");
    assertEquals(1, all.servers().get(2).priority(), "allbackups: every backup together");
  }

  @Test
  void addressForms() {
    PoolConfig c = backend("backend be\n server a [::1]:8080\n server b ipv4@127.0.0.1:81\n server c ipv6@::1:82\n"
        + " server d db.example.com:5432\n server e 127.0.0.1:80 addr 127.0.0.9 port 8081\n", "be");
    assertEquals("::1", c.servers().get(0).host());
    assertEquals("[::1]:8080", c.servers().get(0).address());
    assertEquals("127.0.0.1", c.servers().get(1).host());
    assertEquals("::1", c.servers().get(2).host());
    assertEquals(82, c.servers().get(2).port());
    assertEquals("db.example.com", c.servers().get(3).host());
    assertEquals(InetSocketAddress.createUnresolved("127.0.0.9", 8081), c.servers().get(4).checkAddress());
    for (String[] bad : new String[][] {{"127.0.0.1", "no port"}, {"127.0.0.1:+1000", "port offset"},
        {"127.0.0.1:80-90", "port range"}, {"unix@/run/app.sock", "local socket"}, {"127.0.0.1:0", "no port"}}) {
      HaproxyConfigException e = assertThrows(HaproxyConfigException.class,
          () -> backend("backend be\n server a " + bad[0] + "\n", "be"), bad[0]);
      assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
      assertEquals(2, e.line());
    }
  }

  @Test
  void httpChecksInTheir26Forms() {
    String t = "backend be\n timeout connect 500ms\n timeout check 40ms\n server a 127.0.0.1:80 check inter 200\n";
    HealthCheck plain = backend("backend be\n option httpchk\n server a 127.0.0.1:80 check\n", "be").healthCheck();
    assertEquals(HealthCheck.Type.HTTP, plain.type());
    assertEquals("OPTIONS", plain.httpMethod());
    assertEquals("/", plain.httpPath());
    assertEquals("HTTP/1.0", plain.httpVersion());
    assertEquals(HealthCheck.Expect.DEFAULT, plain.httpExpect());
    HealthCheck uri = backend("backend be\n option httpchk /health\n server a 127.0.0.1:80 check\n", "be").healthCheck();
    assertEquals("/health", uri.httpPath());
    assertEquals("OPTIONS", uri.httpMethod());
    HealthCheck full = backend(t + " option httpchk GET /h HTTP/1.1\n http-check send hdr Host app.example\n"
        + " http-check expect rstatus ^2\n http-check disable-on-404\n", "be").healthCheck();
    assertEquals("GET", full.httpMethod());
    assertEquals("HTTP/1.1", full.httpVersion());
    assertEquals(Map.of("Host", "app.example"), full.httpHeaders());
    assertEquals(HealthCheck.Expect.parse("rstatus ^2"), full.httpExpect());
    assertTrue(full.httpDisableOn404());
    assertEquals(Duration.ofMillis(200), full.connectTimeout(), "min(inter, timeout connect) when timeout check is set");
    assertEquals(Duration.ofMillis(40), full.timeout(), "timeout check bounds what follows the connect");
    HealthCheck noCheckTimeout = backend("backend be\n timeout connect 50ms\n server a 127.0.0.1:80 check inter 200\n",
        "be").healthCheck();
    assertEquals(Duration.ofMillis(200), noCheckTimeout.connectTimeout(), "without timeout check, inter bounds all");
    assertEquals(Duration.ZERO, noCheckTimeout.timeout());
    HealthCheck send = backend("backend be\n option httpchk\n http-check send meth HEAD uri /ping ver HTTP/1.1 hdr Host x\n"
        + " http-check expect ! string DOWN\n server a 127.0.0.1:80 check\n", "be").healthCheck();
    assertEquals("HEAD", send.httpMethod());
    assertEquals("/ping", send.httpPath());
    assertEquals(new HealthCheck.Expect(HealthCheck.Expect.Kind.STRING, true, "DOWN"), send.httpExpect());
    HaproxyConfig tcp = parse("backend be\n option tcp-check\n tcp-check connect\n server a 127.0.0.1:80 check\n");
    assertEquals(HealthCheck.Type.TCP, PoolConfig.builder().apply(tcp.backend("be")).build().healthCheck().type());
    assertTrue(tcp.explainBackend("be").warnings().toString().contains("tcp-check rules are not replayed"));
  }

  @Test
  void unsetReactionsKeepTetherSettingsAndSaySo() {
    HaproxyConfig cfg = parse("backend be\n server a 127.0.0.1:80 check\n");
    PoolConfig c = PoolConfig.builder().onMarkedDown(OnMarkedDown.DRAIN).apply(cfg.backend("be")).build();
    assertEquals(OnMarkedDown.DRAIN, c.onMarkedDown(), "what the user asked of Tether");
    assertTrue(cfg.explainBackend("be").explanation().toString().contains("no on-marked-down on the server lines"));
    HaproxyConfig set = parse("backend be\n balance roundrobin\n option redispatch\n retries 4\n"
        + " server a 127.0.0.1:80 check on-marked-down shutdown-sessions on-marked-up shutdown-backup-sessions observe layer4 error-limit 5\n");
    PoolConfig d = PoolConfig.builder().onMarkedDown(OnMarkedDown.NONE).apply(set.backend("be")).build();
    assertEquals(OnMarkedDown.SHUTDOWN_SESSIONS, d.onMarkedDown());
    assertEquals(OnMarkedUp.SHUTDOWN_BACKUP_SESSIONS, d.onMarkedUp());
    assertEquals(5, d.errorLimit());
    assertEquals(Balance.ROUNDROBIN, d.balance());
    assertEquals(4, d.retries());
  }

  @Test
  void valuesOutsideTetherRangesNameTheLine() {
    HaproxyConfigException retries = assertThrows(HaproxyConfigException.class,
        () -> backend("backend be\n retries 20\n server a 127.0.0.1:80\n", "be"));
    assertEquals(2, retries.line());
    assertTrue(retries.getMessage().contains("tether.pool.retries"), retries.getMessage());
    HaproxyConfig tiny = parse("defaults\n mode http\n timeout client 5ms\nlisten fe\n bind :1\n");
    HaproxyConfigException e = assertThrows(HaproxyConfigException.class,
        () -> PoolConfig.builder().apply(tiny.frontend("fe")));
    assertEquals(3, e.line());
    assertTrue(e.getMessage().contains("tether.pool.lb-idle-timeout"), e.getMessage());
  }

  @Test
  void explanationsNameEachSettingWithItsSectionAndLine() {
    HaproxyConfig cfg = parse("defaults\n mode http\n timeout connect 1s\n timeout client 2s\n"
        + "frontend fe\n bind :1\n timeout http-keep-alive 6s\n default_backend be\n"
        + "backend be\n option httpclose\n server a 127.0.0.1:80 check\n");
    Derivation<Duration> d = cfg.clientIdleTimeout("fe");
    assertEquals("2s between requests: timeout client 2s (defaults, line 4) caps timeout http-keep-alive 6s "
        + "(frontend fe, line 7)", d.explanation().get(0));
    String text = cfg.explain("fe");
    assertTrue(text.startsWith("idle timeout 2s (tether.pool.lb-idle-timeout):\n"), text);
    assertTrue(text.contains("servers and checks (backend be)"), text);
  }

  @Test
  void explainWarnsAboutWhatCostsPooledClientsOnReloadsAndDeploys() {
    String bare = "defaults\n mode http\n timeout client 5s\nfrontend fe\n bind :1\n default_backend be\n"
        + "backend be\n server a 127.0.0.1:80 check\n";
    String text = parse(bare).explain("fe");
    assertTrue(text.contains("no option idle-close-on-response"), text);
    assertTrue(text.contains("no close-spread-time in global"), text);
    assertTrue(text.contains("without on-marked-down shutdown-sessions"), text);
    assertTrue(text.contains("no agent-check"), text);
    String tuned = parse("global\n close-spread-time 5s\n" + bare.replace(" timeout client 5s\n",
        " timeout client 5s\n option idle-close-on-response\n").replace("check\n",
        "check on-marked-down shutdown-sessions agent-check agent-port 9999\n")).explain("fe");
    assertFalse(tuned.contains("warning:"), tuned);
  }

  @Test
  void aClientOfTheFrontendGetsItsIdleTimeout() throws Exception {
    Path f = dir.resolve("haproxy.cfg");
    Files.writeString(f, "defaults\n mode http\n timeout client 10m\nlisten api\n bind :1\n");
    PoolConfig c = PoolConfig.builder().apply(HaproxyConfig.read(f).frontend("api")).build();
    assertEquals(Duration.ofMinutes(9), c.eviction().evictAfter(), "the IdleConnectionMonitor's 9 of 10 minutes");
    HaproxyConfigException e = assertThrows(HaproxyConfigException.class,
        () -> parse("backend api\n server a 127.0.0.1:80\n").frontend("api"));
    assertTrue(e.getMessage().contains("'api' is a backend"), e.getMessage());
  }

  @Test
  void debiansOwnConfigParses() throws Exception {
    HaproxyConfig cfg = HaproxyConfig.read(resource("debian-default.cfg"));
    assertEquals(List.of(Section.Kind.GLOBAL, Section.Kind.DEFAULTS), cfg.sections().stream().map(Section::kind).toList());
    Path installed = Path.of("/etc/haproxy/haproxy.cfg");
    Assumptions.assumeTrue(Files.isReadable(installed), "haproxy package not installed here");
    assertTrue(HaproxyConfig.read(installed).sections().stream().anyMatch(s -> s.kind() == Section.Kind.DEFAULTS));
  }

  @Test
  void theFirstSeedsBackendBecomesServersAndChecks() throws Exception {
    Path seed = root().getParent().resolve("shared/seeds/000_437f4d6b51961f21.txt");
    Assumptions.assumeTrue(Files.isReadable(seed), "../shared/seeds not beside this checkout");
    List<List<String>> blocks = fencedBlocks(Files.readAllLines(seed));
    assertEquals(2, blocks.size(), "two config blocks in the seed: " + blocks);
    PoolConfig c = backend("backend lbb-v8y2j191\n  mode tcp\n  " + String.join("\n  ", blocks.get(0)) + "\n",
        "lbb-v8y2j191");
    assertEquals(List.of("lbb-811tmjow", "lbb-v8y2j191"), c.servers().stream().map(Endpoint::name).toList());
    assertEquals("192.168.1.29:81", c.servers().get(0).address());
    assertEquals(Duration.ofMillis(200), c.healthCheck().inter());
    assertEquals(1, c.healthCheck().fall());
    assertEquals(OnMarkedDown.SHUTDOWN_SESSIONS, c.onMarkedDown());
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
}
