package io.tether.pool.haproxy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code server}, {@code default-server} or {@code server-template} line read as HAProxy 2.6's {@code
 * parse_server()} reads it: the name and address, then keywords, each taking the number of arguments
 * HAProxy's keyword tables say ({@link #ARITY}), so that no flag ever swallows the next word. A server
 * starts from the {@code default-server} settings as they stood when its line was read.
 */
final class ServerLine {

  /**
   * Every server keyword of HAProxy 2.6 and how many words follow it (-1: {@code source}, whose own
   * parser decides), from the {@code srv_kws} tables of {@code server.c}, {@code check.c}, {@code
   * cfgparse.c}, {@code cfgparse-ssl.c} and {@code cfgparse-tcp.c}.
   */
  static final Map<String, Integer> ARITY = new LinkedHashMap<>();

  /** Keywords HAProxy refuses on a {@code default-server} line ({@code default_ok} 0). */
  static final List<String> NOT_IN_DEFAULT = List.of("id", "no-sslv3", "no-tlsv10", "no-tlsv11", "no-tlsv12",
      "no-tlsv13");

  static {
    for (String k : List.of("allow-0rtt", "check-ssl", "force-sslv3", "force-tlsv10", "force-tlsv11", "force-tlsv12",
        "force-tlsv13", "no-check-ssl", "no-send-proxy-v2-ssl", "no-send-proxy-v2-ssl-cn", "no-ssl", "no-ssl-reuse",
        "no-sslv3", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13", "no-tls-tickets", "send-proxy-v2-ssl",
        "send-proxy-v2-ssl-cn", "ssl", "ssl-reuse", "tls-tickets", "agent-check", "check", "check-send-proxy",
        "check-via-socks4", "no-agent-check", "no-check", "no-check-send-proxy", "backup", "disabled", "enabled",
        "no-backup", "no-send-proxy", "no-send-proxy-v2", "no-tfo", "non-stick", "send-proxy", "send-proxy-v2",
        "stick", "tfo", "usesrc")) {
      ARITY.put(k, 0);
    }
    for (String k : List.of("alpn", "ca-file", "check-alpn", "check-sni", "ciphers", "ciphersuites", "crl-file", "crt",
        "npn", "sni", "ssl-min-ver", "ssl-max-ver", "verify", "verifyhost", "tcp-ut", "addr", "agent-addr",
        "agent-inter", "agent-port", "agent-send", "check-proto", "rise", "fall", "inter", "fastinter", "downinter",
        "port", "cookie", "error-limit", "ws", "id", "init-addr", "log-proto", "maxconn", "maxqueue", "max-reuse",
        "minconn", "namespace", "observe", "on-error", "on-marked-down", "on-marked-up", "pool-low-conn",
        "pool-max-conn", "pool-purge-delay", "proto", "proxy-v2-options", "redir", "resolve-net", "resolve-opts",
        "resolve-prefer", "resolvers", "slowstart", "track", "socks4", "weight")) {
      ARITY.put(k, 1);
    }
    ARITY.put("source", -1);
  }

  /** A setting of a server and the line it came from (a {@code default-server} line, or its own). */
  record Value<T>(T value, int line) {}

  /** The settings Tether reads from a server line; all else is HAProxy's own business. */
  static final class Params {
    final Map<String, Value<String>> values = new LinkedHashMap<>();

    static Params defaults() {
      return new Params();
    }

    Params copy() {
      Params p = new Params();
      p.values.putAll(values);
      return p;
    }

    String get(String key) {
      Value<String> v = values.get(key);
      return v == null ? null : v.value();
    }

    int line(String key) {
      Value<String> v = values.get(key);
      return v == null ? 0 : v.line();
    }

    boolean flag(String key) {
      return "1".equals(get(key));
    }

    void set(String key, String value, int line) {
      values.put(key, new Value<>(value, line));
    }
  }

  final String name;
  final String address;
  final Directive where;
  final Params params;
  /** For {@code server-template}: the numbers of the servers it makes, low to high; else 0, 0. */
  final int templateLow;
  final int templateHigh;

  ServerLine(String name, String address, Directive where, Params params, int templateLow, int templateHigh) {
    this.name = name;
    this.address = address;
    this.where = where;
    this.params = params;
    this.templateLow = templateLow;
    this.templateHigh = templateHigh;
  }

  /** The server names this line makes: its own, or for a template the prefix and each number. */
  List<String> names() {
    if (templateHigh == 0) {
      return List.of(name);
    }
    java.util.ArrayList<String> out = new java.util.ArrayList<>();
    for (int i = templateLow; i <= templateHigh && out.size() < 100_000; i++) {
      out.add(name + i);
    }
    return out;
  }

  /** C's {@code atol}: blanks, a sign, digits up to the first other character; 0 when there are none. */
  static long atol(String s) {
    int i = 0;
    while (i < s.length() && (LineParser.blank(s.charAt(i)) || s.charAt(i) == '\n' || s.charAt(i) == '\r')) {
      i++;
    }
    boolean neg = false;
    if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      neg = s.charAt(i) == '-';
      i++;
    }
    long v = 0;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      v = v * 10 + (s.charAt(i) - '0');
      if (v > Integer.MAX_VALUE * 4L) {
        v = Long.MAX_VALUE / 16; // saturates, like glibc's strtol, long before our ranges matter
        break;
      }
      i++;
    }
    return neg ? -v : v;
  }

  /** Whether {@code atol} read every character: HAProxy accepts {@code weight 10x} as 10. */
  static boolean atolWhole(String s) {
    return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  /** The proxy's {@code invalid_char}: letters, digits, '.', ':', '_' and '-'. */
  static boolean validName(String n, boolean prefix) {
    if (n.isEmpty()) {
      return false;
    }
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
          || c == '_' || c == '-' || (!prefix && c == ':');
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
