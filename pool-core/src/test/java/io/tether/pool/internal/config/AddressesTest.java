package io.tether.pool.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code host:port} grammar of configuration values, case by case at each rule's edge: what passes
 * and what is refused (so that a bad server address fails when the config is read, naming the key).
 */
class AddressesTest {

  @Test
  void ports() {
    Map<String, Integer> cases = new LinkedHashMap<>();
    cases.put("1", 1);
    cases.put("80", 80);
    cases.put("080", 80);
    cases.put("65535", 65535);
    cases.put("65536", null);
    cases.put("0", null);
    cases.put("00000", null);
    cases.put("123456", null);
    cases.put("", null);
    cases.put("+80", null);
    cases.put("-1", null);
    cases.put("8 0", null);
    cases.put("\uff18\uff10", null); // fullwidth digits: Integer.parseInt would take them
    cases.forEach((text, expected) -> assertEquals(expected, Addresses.port(text), "port(\"" + text + "\")"));
  }

  @Test
  void hostNames() {
    Map<String, Boolean> cases = new LinkedHashMap<>();
    cases.put("localhost", true);
    cases.put("API.example.com", true);
    cases.put("a-b.c_d.example", true);
    cases.put("example.com.", true); // the root's dot
    cases.put("web1", true);
    cases.put("1a.example", true);
    cases.put("x." + "a".repeat(63), true);
    cases.put("x." + "a".repeat(64), false);
    cases.put(("a".repeat(63) + ".").repeat(3) + "a".repeat(61), true); // 253 characters
    cases.put(("a".repeat(63) + ".").repeat(3) + "a".repeat(62), false); // 254
    cases.put("", false);
    cases.put(".", false);
    cases.put("a..b", false);
    cases.put(".a", false);
    cases.put("-a.example", false);
    cases.put("a-.example", false);
    cases.put("a.-b", false);
    cases.put("caf\u00e9.example", false);
    cases.put("a b", false);
    cases.put("a:b", false);
    cases.put("1.2.3.4", false); // numeric top label: an IPv4 literal, never a name
    cases.put("a.b.123", false);
    cases.put("a.123b", true);
    cases.put("az.AZ09.example", true); // each end of each character range
    for (char c : new char[] {'`', '{', '@', '[', '/', ':'}) { // each range's outside neighbour
      cases.put("a" + c + "b.example", false);
    }
    Cases.check(cases, Addresses::hostName, "hostName");
  }

  @Test
  void ipv4Literals() {
    Map<String, Boolean> cases = new LinkedHashMap<>();
    cases.put("0.0.0.0", true);
    cases.put("127.0.0.29", true);
    cases.put("255.255.255.255", true);
    cases.put("256.0.0.1", false);
    cases.put("1.2.3.256", false);
    cases.put("01.2.3.4", false);
    cases.put("1.2.3.04", false);
    cases.put("1.2.3", false);
    cases.put("1.2.3.4.5", false);
    cases.put("1.2.3.", false);
    cases.put(".1.2.3", false);
    cases.put("1..2.3", false);
    cases.put("1234.1.1.1", false);
    cases.put("a.1.1.1", false);
    cases.put("-1.1.1.1", false);
    cases.put("1.2.3.\u0664", false); // an Arabic-Indic digit
    Cases.check(cases, Addresses::ipv4, "ipv4");
  }

  @Test
  void ipv6Literals() {
    Map<String, Boolean> cases = new LinkedHashMap<>();
    cases.put("::", true);
    cases.put("::1", true);
    cases.put("1::", true);
    cases.put("fe80::1", true);
    cases.put("1:2:3:4:5:6:7:8", true);
    cases.put("ABCD:ef01:2345:6789:abcd:EF01:2345:6789", true);
    cases.put("1:2:3:4:5:6:7::", true); // "::" standing for one group
    cases.put("::2:3:4:5:6:7:8", true);
    cases.put("1:2:3:4::5:6:7:8", false); // eight groups and a "::"
    cases.put("1:2:3:4:5:6:7", false);
    cases.put("1:2:3:4:5:6:7:8:9", false);
    cases.put(":::", false);
    cases.put("1:::2", false);
    cases.put("1::2::3", false);
    cases.put("12345::", false);
    cases.put("g::", false);
    cases.put(":1:2:3:4:5:6:7", false);
    cases.put("1:2:3:4:5:6:7:", false);
    cases.put("::ffff:192.0.2.1", true);
    cases.put("1:2:3:4:5:6:192.0.2.1", true);
    cases.put("1:2:3:4:5:6:7:192.0.2.1", false);
    cases.put("::192.0.2", false);
    cases.put("::1.2.3.4:5", false); // an IPv4 part only at the end
    cases.put("fe80::1%eth0", true);
    cases.put("fe80::1%", false);
    cases.put("fe80::1%a b", false);
    cases.put("", false);
    cases.put("%eth0", false);
    Cases.check(cases, Addresses::ipv6, "ipv6");
  }

  @Test
  void hostPortPairs() {
    InetSocketAddress a = Addresses.hostPort("app1.example:8080");
    assertEquals("app1.example", a.getHostString());
    assertEquals(8080, a.getPort());
    assertEquals(true, a.isUnresolved(), "never resolved while reading a config");
    InetSocketAddress v4 = Addresses.hostPort("127.0.0.29:80");
    assertEquals("127.0.0.29", v4.getHostString());
    InetSocketAddress v6 = Addresses.hostPort("[::1]:443");
    assertEquals("::1", v6.getHostString(), "brackets stripped");
    assertEquals(443, v6.getPort());
    for (String bad : new String[] {":80", "app1:", "app1", "app1:0", "app1:65536", "::1:80", "[::1:80", "[::1]x:80",
        "[1.2.3.4]:80", "[]:80", "http://app1:80", "app1:80/x", "app 1:80", "1.2.3:80", "[::1]]:80"}) {
      assertNull(Addresses.hostPort(bad), bad);
    }
  }
}
