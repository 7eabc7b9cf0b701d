package io.tether.pool.internal.config;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * The one written form of each kind of value, for parsing and for writing back. Every parser accepts
 * exactly what its formatter writes and nothing looser: ASCII digits only (no {@code +}, no {@code _},
 * no other scripts' digits), no exponents, no suffixes Java's own parsers would tolerate. A parser
 * returns null for text it does not accept; the caller names key, value and range.
 */
public final class Syntax {
  private Syntax() {}

  /** ASCII spaces and tabs around a value are not part of it (a properties file keeps trailing ones). */
  public static String trim(String raw) {
    int b = 0;
    int e = raw.length();
    while (b < e && (raw.charAt(b) == ' ' || raw.charAt(b) == '\t')) {
      b++;
    }
    while (e > b && (raw.charAt(e - 1) == ' ' || raw.charAt(e - 1) == '\t')) {
      e--;
    }
    return raw.substring(b, e);
  }

  static boolean asciiDigits(String s, int from, int to) {
    if (from >= to) {
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** A non-negative decimal integer of ASCII digits, or null (overflow included). */
  public static Long integer(String text) {
    String s = trim(text);
    if (!asciiDigits(s, 0, s.length()) || s.length() > 18) {
      return null;
    }
    return Long.parseLong(s);
  }

  /**
   * A fraction: {@code 0.05} or {@code 5%} ({@code 2.5%} too). Digits, at most one point, no exponent,
   * no sign. Null if not of that form.
   */
  public static Double ratio(String text) {
    String s = trim(text);
    boolean percent = s.endsWith("%");
    if (percent) {
      s = s.substring(0, s.length() - 1);
    }
    int dot = s.indexOf('.');
    boolean ok = dot < 0 ? asciiDigits(s, 0, s.length())
        : asciiDigits(s, 0, dot) && asciiDigits(s, dot + 1, s.length());
    if (!ok || s.length() > 30) {
      return null;
    }
    BigDecimal v = new BigDecimal(s);
    if (percent) {
      v = v.movePointLeft(2);
    }
    return v.doubleValue();
  }

  /** The shortest decimal that reads back as {@code value}: {@code 0.0001}, never {@code 1.0E-4}. */
  public static String formatRatio(double value) {
    String s = BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    return s.contains(".") ? s : s + ".0";
  }

  /**
   * A duration in HAProxy's syntax (an integer and one of {@code us ms s m h d}, a bare number being
   * milliseconds), plus {@code ns} when {@code nanos} is true: Tether writes derived values exactly.
   * Null if not of that form or if it overflows.
   */
  public static Duration duration(String text, boolean nanos) {
    String s = trim(text);
    int i = 0;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    if (i == 0 || i > 18) {
      return null;
    }
    long n = Long.parseLong(s.substring(0, i));
    try {
      switch (s.substring(i)) {
        case "":
        case "ms":
          return Duration.ofMillis(n);
        case "ns":
          return nanos ? Duration.ofNanos(n) : null;
        case "us":
          return Duration.ofNanos(Math.multiplyExact(n, 1000L));
        case "s":
          return Duration.ofSeconds(n);
        case "m":
          return Duration.ofMinutes(n);
        case "h":
          return Duration.ofHours(n);
        case "d":
          return Duration.ofDays(n);
        default:
          return null;
      }
    } catch (ArithmeticException overflow) {
      return null;
    }
  }

  /** {@code d} in the largest unit that represents it exactly: {@code 9m}, {@code 1500ms}, {@code 37ns}. */
  public static String formatDuration(Duration d) {
    long nanos = d.toNanos();
    if (nanos == 0) {
      return "0ms";
    }
    long[] sizes = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L};
    String[] units = {"d", "h", "m", "s", "ms", "us"};
    for (int k = 0; k < sizes.length; k++) {
      if (nanos % sizes[k] == 0) {
        return nanos / sizes[k] + units[k];
      }
    }
    return nanos + "ns";
  }

  /** {@code true} or {@code false}, nothing else. */
  public static Boolean bool(String text) {
    String s = trim(text);
    if (s.equals("true")) {
      return Boolean.TRUE;
    }
    return s.equals("false") ? Boolean.FALSE : null;
  }

  /** Whether {@code s} is 1 to {@code max} characters from {@code [A-Za-z0-9._-]}. */
  public static boolean name(String s, int max) {
    if (s == null || s.isEmpty() || s.length() > max) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code s} is a DNS name (RFC 1123 labels of 1-63 letters, digits and inner hyphens, at most 253
   * characters, an optional final dot); {@code underscores} also lets labels start with {@code _}, as SRV
   * names' service and protocol labels do.
   */
  public static boolean dnsName(String s, boolean underscores) {
    String n = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    if (n.isEmpty() || n.length() > 253) {
      return false;
    }
    for (String label : n.split("\\.", -1)) {
      String body = underscores && label.startsWith("_") ? label.substring(1) : label;
      if (body.isEmpty() || label.length() > 63 || body.startsWith("-") || body.endsWith("-")) {
        return false;
      }
      for (int i = 0; i < body.length(); i++) {
        char c = body.charAt(i);
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
          return false;
        }
      }
    }
    return true;
  }

  /** Whether {@code s} is {@code <dns name>:<port 1-65535>}. */
  public static boolean dnsHostPort(String s) {
    int colon = s.lastIndexOf(':');
    if (colon < 1 || !dnsName(s.substring(0, colon), false)) {
      return false;
    }
    Long port = integer(s.substring(colon + 1));
    return port != null && port >= 1 && port <= 65535;
  }

  /** Whether {@code s} is an SRV name: {@code _service._proto.name}. */
  public static boolean srvName(String s) {
    return s.startsWith("_") && s.indexOf("._", 1) > 0 && dnsName(s, true);
  }

  /**
   * An IP literal with an optional port ({@code 10.0.0.2}, {@code 10.0.0.2:5353}, {@code [fd00::2]:53},
   * {@code fd00::2}) as an address, never looked up; null if {@code s} is not one.
   */
  public static java.net.InetSocketAddress socketAddress(String s, int defaultPort) {
    String host = s;
    int port = defaultPort;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = s.substring(1, close);
      String rest = s.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          return null;
        }
        Long p = integer(rest.substring(1));
        if (p == null || p < 1 || p > 65535) {
          return null;
        }
        port = p.intValue();
      }
      if (!host.contains(":")) {
        return null;
      }
    } else if (s.indexOf(':') == s.lastIndexOf(':') && s.indexOf(':') > 0) {
      host = s.substring(0, s.indexOf(':'));
      Long p = integer(s.substring(s.indexOf(':') + 1));
      if (p == null || p < 1 || p > 65535) {
        return null;
      }
      port = p.intValue();
    }
    boolean v4 = host.matches("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    boolean v6 = host.contains(":") && host.matches("[0-9A-Fa-f:.]+");
    if (!v4 && !v6) {
      return null;
    }
    try {
      // A literal: InetAddress parses it without a lookup.
      return new java.net.InetSocketAddress(java.net.InetAddress.getByName(host), port);
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }

  /** Whether every character is printable ASCII other than space (0x21-0x7E). */
  public static boolean visibleAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  /** An HTTP token (RFC 9110 tchar), as a method or header name must be. */
  public static boolean token(String s) {
    if (s == null || s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
