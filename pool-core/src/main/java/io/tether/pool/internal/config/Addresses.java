package io.tether.pool.internal.config;

import java.net.InetSocketAddress;

/**
 * {@code host:port} as written in configuration: a DNS name or IPv4 literal, or an IPv6 literal in
 * brackets, then a port of ASCII digits 1-65535. Nothing looser: no scheme, no sign, no path.
 */
public final class Addresses {
  private Addresses() {}

  /** {@return the unresolved address, or null if {@code text} is not {@code host:port}} */
  public static InetSocketAddress hostPort(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      return null;
    }
    String host = text.substring(0, colon);
    Integer port = port(text.substring(colon + 1));
    if (port == null) {
      return null;
    }
    if (host.startsWith("[")) {
      if (!host.endsWith("]") || !ipv6(host.substring(1, host.length() - 1))) {
        return null;
      }
      host = host.substring(1, host.length() - 1);
    } else if (!hostName(host) && !ipv4(host)) {
      return null;
    }
    return InetSocketAddress.createUnresolved(host, port);
  }

  /** {@return the port 1-65535, or null} */
  public static Integer port(String text) {
    if (text.isEmpty() || text.length() > 5 || !Syntax.asciiDigits(text, 0, text.length())) {
      return null;
    }
    int p = Integer.parseInt(text);
    return p >= 1 && p <= 65535 ? p : null;
  }

  /** A DNS name: labels of letters, digits and hyphens (not at either end), at most 253 characters. */
  public static boolean hostName(String h) {
    if (h.isEmpty() || h.length() > 253) {
      return false;
    }
    String s = h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    String[] labels = s.split("\\.", -1);
    String last = labels[labels.length - 1];
    if (!last.isEmpty() && Syntax.asciiDigits(last, 0, last.length())) {
      return false; // an all-numeric top label is an IPv4 literal, checked as one, never a name
    }
    for (String label : labels) {
      if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
        return false;
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
            || c == '_';
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }

  /** Four decimal octets 0-255, ASCII digits, no leading zeros beyond a single 0. */
  public static boolean ipv4(String h) {
    String[] parts = h.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !Syntax.asciiDigits(p, 0, p.length())
          || (p.length() > 1 && p.charAt(0) == '0') || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  /** An IPv6 literal (RFC 4291 text forms, an embedded IPv4 tail and a {@code %zone} allowed). */
  public static boolean ipv6(String h) {
    int pct = h.indexOf('%');
    if (pct >= 0) {
      String zone = h.substring(pct + 1);
      if (zone.isEmpty() || !Syntax.name(zone, 64)) {
        return false;
      }
      h = h.substring(0, pct);
    }
    if (h.isEmpty() || h.indexOf(":::") >= 0) {
      return false;
    }
    int doubleColon = h.indexOf("::");
    if (doubleColon >= 0 && h.indexOf("::", doubleColon + 1) >= 0) {
      return false;
    }
    String[] groups = h.split(":", -1);
    int count = 0;
    for (int i = 0; i < groups.length; i++) {
      String g = groups[i];
      if (g.isEmpty()) {
        continue; // part of "::" (checked above), or a leading/trailing "::"
      }
      if (i == groups.length - 1 && g.indexOf('.') >= 0) {
        if (!ipv4(g)) {
          return false;
        }
        count += 2;
        continue;
      }
      if (g.length() > 4) {
        return false;
      }
      for (int k = 0; k < g.length(); k++) {
        char c = g.charAt(k);
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
          return false;
        }
      }
      count++;
    }
    if (h.startsWith(":") && !h.startsWith("::") || h.endsWith(":") && !h.endsWith("::")) {
      return false;
    }
    return doubleColon >= 0 ? count < 8 : count == 8;
  }
}
