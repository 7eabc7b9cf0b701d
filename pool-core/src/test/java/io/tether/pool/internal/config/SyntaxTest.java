package io.tether.pool.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each written form a config value may take, at the edges of its rule: the longest accepted and the
 * first refused, each character range's ends and its outside neighbours. What passes here is exactly
 * what the formatters write, nothing looser.
 */
class SyntaxTest {

  @Test
  void trimTakesOnlyAsciiSpacesAndTabsFromEitherEnd() {
    assertEquals("a b", Syntax.trim(" \ta b\t "));
    assertEquals("a", Syntax.trim("a"));
    assertEquals("", Syntax.trim(" \t "));
    assertEquals("", Syntax.trim(""));
    assertEquals("\u00a0a", Syntax.trim("\u00a0a"), "a no-break space is not trimmed");
    assertEquals("a\n", Syntax.trim("a\n "), "nor a newline");
    assertEquals("x", Syntax.trim("\tx"));
    assertEquals("x", Syntax.trim("x\t"));
  }

  @Test
  void integersAreAsciiDigitsUpTo18OfThem() {
    assertEquals(0L, Syntax.integer("0"));
    assertEquals(9L, Syntax.integer(" 9 "));
    assertEquals(999_999_999_999_999_999L, Syntax.integer("9".repeat(18)));
    assertNull(Syntax.integer("1" + "0".repeat(18)), "19 digits");
    for (String bad : new String[] {"", " ", "+1", "-1", "1_2", "0x10", "1e3", "1.0", "\u0662", "\uff16\uff14", "/", ":"}) {
      assertNull(Syntax.integer(bad), bad);
    }
  }

  @Test
  void ratiosAreDecimalsOrPercentages() {
    assertEquals(0.05, Syntax.ratio("0.05"));
    assertEquals(0.05, Syntax.ratio("5%"));
    assertEquals(0.025, Syntax.ratio("2.5%"));
    assertEquals(1.0, Syntax.ratio("1"));
    assertEquals(0.5, Syntax.ratio(" 0.5 "), "spaces around are not part of it");
    String thirty = "0." + "1".repeat(28);
    assertEquals(30, thirty.length());
    assertEquals(Double.parseDouble(thirty), Syntax.ratio(thirty));
    assertNull(Syntax.ratio(thirty + "1"), "31 characters");
    for (String bad : new String[] {"", "%", ".5", "5.", "1.2.3", "0x1.cp-1", "1e-3", "0.9d", "+0.5", "-0.5", "5%%",
        "0,5", "\u0660.5"}) {
      assertNull(Syntax.ratio(bad), bad);
    }
  }

  @Test
  void durationsInHaproxysUnits() {
    assertEquals(Duration.ofMillis(500), Syntax.duration("500", false));
    assertEquals(Duration.ofMillis(500), Syntax.duration("500ms", false));
    assertEquals(Duration.ofNanos(1500), Syntax.duration("1500ns", true));
    assertNull(Syntax.duration("1500ns", false), "ns only where Tether writes it");
    assertEquals(Duration.ofNanos(3000), Syntax.duration("3us", false));
    assertEquals(Duration.ofSeconds(10), Syntax.duration("10s", false));
    assertEquals(Duration.ofMinutes(9), Syntax.duration("9m", false));
    assertEquals(Duration.ofHours(1), Syntax.duration("1h", false));
    assertEquals(Duration.ofDays(2), Syntax.duration("2d", false));
    assertEquals(Duration.ofMillis(Long.parseLong("9".repeat(18))), Syntax.duration("9".repeat(18), false));
    assertNull(Syntax.duration("1" + "0".repeat(18), false), "19 digits");
    assertNull(Syntax.duration("9".repeat(18) + "us", false), "overflows as nanoseconds");
    for (String bad : new String[] {"", "s", "10 s", "10S", "1.5s", "+1s", "-1s", "10x", "1e3", "\u0661s", "/s", ":s"}) {
      assertNull(Syntax.duration(bad, true), bad);
    }
    for (Duration d : new Duration[] {Duration.ZERO, Duration.ofNanos(37), Duration.ofNanos(1000),
        Duration.ofMillis(1500), Duration.ofMinutes(9), Duration.ofDays(3), Duration.ofNanos(37_612_500)}) {
      assertEquals(d, Syntax.duration(Syntax.formatDuration(d), true), "round trip of " + d);
    }
  }

  @Test
  void booleansAreTheTwoWords() {
    assertEquals(Boolean.TRUE, Syntax.bool(" true "));
    assertEquals(Boolean.FALSE, Syntax.bool("false"));
    for (String bad : new String[] {"TRUE", "yes", "1", "", "tru"}) {
      assertNull(Syntax.bool(bad), bad);
    }
  }

  @Test
  void names() {
    Map<String, Boolean> cases = new LinkedHashMap<>();
    cases.put("azAZ09._-", true);
    cases.put("a".repeat(9), true);
    cases.put("a".repeat(10), false); // max 9 here
    cases.put("", false);
    for (char c : new char[] {'`', '{', '@', '[', '/', ':', ' ', '+', '\u00e9'}) {
      cases.put("a" + c, false);
    }
    Cases.check(cases, s -> Syntax.name(s, 9), "name");
    assertFalse(Syntax.name(null, 9));
  }

  @Test
  void dnsNames() {
    Map<String, Boolean> cases = new LinkedHashMap<>();
    cases.put("api.example.com", true);
    cases.put("api.example.com.", true);
    cases.put("azAZ09-x.example", true);
    cases.put("x." + "a".repeat(63), true);
    cases.put("x." + "a".repeat(64), false);
    cases.put(("a".repeat(63) + ".").repeat(3) + "a".repeat(61), true); // 253
    cases.put(("a".repeat(63) + ".").repeat(3) + "a".repeat(62), false); // 254
    cases.put("", false);
    cases.put(".", false);
    cases.put("a..b", false);
    cases.put("-a.example", false);
    cases.put("a-.example", false);
    cases.put("_http._tcp.example", false); // underscores only for SRV names
    for (char c : new char[] {'`', '{', '@', '[', '/', ':', '_', ' '}) {
      cases.put("a" + c + "b.example", false);
    }
    Cases.check(cases, s -> Syntax.dnsName(s, false), "dnsName");
    assertTrue(Syntax.dnsName("_http._tcp.example", true));
    assertFalse(Syntax.dnsName("_._tcp.example", true), "an underscore alone is no label");
    assertFalse(Syntax.dnsName("_-a._tcp.example", true));
  }

  @Test
  void dnsHostPortsAndSrvNames() {
    Map<String, Boolean> cases = new LinkedHashMap<>();
    cases.put("dns.example:53", true);
    cases.put("a:1", true);
    cases.put("a:65535", true);
    cases.put("a:65536", false);
    cases.put("a:0", false);
    cases.put(":53", false);
    cases.put("a:", false);
    cases.put("a", false);
    Cases.check(cases, Syntax::dnsHostPort, "dnsHostPort");
    assertTrue(Syntax.srvName("_http._tcp.api.example"));
    assertFalse(Syntax.srvName("http._tcp.api.example"));
    assertFalse(Syntax.srvName("_http.tcp.api.example"));
    assertFalse(Syntax.srvName("_http"));
  }

  @Test
  void socketAddressesAreLiteralsWithAnOptionalPort() {
    InetSocketAddress a = Syntax.socketAddress("10.0.0.2", 53);
    assertEquals("10.0.0.2", a.getAddress().getHostAddress());
    assertEquals(53, a.getPort());
    assertEquals(5353, Syntax.socketAddress("10.0.0.2:5353", 53).getPort());
    assertEquals(1, Syntax.socketAddress("10.0.0.2:1", 53).getPort());
    assertEquals(65535, Syntax.socketAddress("10.0.0.2:65535", 53).getPort());
    assertEquals(53, Syntax.socketAddress("[fd00::2]", 53).getPort());
    assertEquals(1, Syntax.socketAddress("[fd00::2]:1", 53).getPort());
    assertEquals(65535, Syntax.socketAddress("[fd00::2]:65535", 53).getPort());
    assertEquals(53, Syntax.socketAddress("fd00::2", 53).getPort(), "bare IPv6: its colons are no port");
    assertEquals("255.255.255.255", Syntax.socketAddress("255.255.255.255", 53).getAddress().getHostAddress());
    for (String bad : new String[] {"10.0.0.2:0", "10.0.0.2:65536", "[fd00::2]:0", "[fd00::2]:65536", "[fd00::2]53",
        "[fd00::2", "[10.0.0.2]:53", "256.0.0.1", "10.0.0", "dns.example", "dns.example:53", ":53", "10.0.0.2:",
        "[fd00::2]:", "fd00::g"}) {
      assertNull(Syntax.socketAddress(bad, 53), bad);
    }
  }

  @Test
  void visibleAsciiIsBang_ToTilde() {
    assertTrue(Syntax.visibleAscii("!~/health?x=1"));
    assertTrue(Syntax.visibleAscii(""));
    assertFalse(Syntax.visibleAscii("a b"), "space (0x20)");
    assertFalse(Syntax.visibleAscii("a\u007f"), "DEL (0x7F)");
    assertFalse(Syntax.visibleAscii("\u00e9"));
  }

  @Test
  void tokensAreRfc9110Tchars() {
    assertTrue(Syntax.token("GET"));
    assertTrue(Syntax.token("azAZ09!#$%&'*+-.^_`|~"));
    for (String bad : new String[] {"", "a b", "a:", "a/", "a@", "a[", "a{", "a\"", "a(", "\u00e9", "a\u007f"}) {
      assertFalse(Syntax.token(bad), bad);
    }
    assertFalse(Syntax.token(null));
  }
}
