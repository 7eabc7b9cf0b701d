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
