package io.tether.pool.haproxy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A frontend, backend, listen or defaults section with what it inherits resolved, as HAProxy builds its
 * {@code struct proxy}: each value remembers the line that set it, so derivations can say where every
 * number came from.
 */
final class Proxy {
  /** A value and where it was set; {@code where} is null for HAProxy's built-in default. */
  record Setting<T>(T value, Directive where, Section in) {
    String origin() {
      return where == null ? "HAProxy's default" : in.title() + ", line " + where.line();
    }
  }

  /** A {@code use_backend} rule: the backend's name, static or not, and whether it has a condition. */
  record UseBackend(String name, boolean dynamic, boolean conditional, Directive where) {}

  final Section section;
  final boolean frontend;
  final boolean backend;
  final Proxy defaults;

  Setting<String> mode;
  /** Timeouts in milliseconds by name ({@code client}, {@code http-keep-alive}...); 0 is unset. */
  final Map<String, Setting<Long>> timeouts = new LinkedHashMap<>();
  Setting<String> defaultBackend;
  final List<UseBackend> useBackends = new ArrayList<>();
  /** {@code option <name>}: true, {@code no option <name>}: false. */
  final Map<String, Setting<Boolean>> options = new LinkedHashMap<>();
  Setting<List<String>> balance;
  Setting<Integer> retries;
  boolean disabled;
  /** The {@code default-server} settings as they stand, built up line by line. */
  ServerLine.Params defaultServer;
  final List<ServerLine> servers = new ArrayList<>();
  /** What {@code option httpchk}, {@code http-check} and {@code option tcp-check} said. */
  CheckSpec checks;

  Proxy(Section section, Proxy defaults) {
    this.section = section;
    Section.Kind k = section.kind();
    boolean isDefaults = k == Section.Kind.DEFAULTS;
    this.frontend = isDefaults || k == Section.Kind.FRONTEND || k == Section.Kind.LISTEN;
    this.backend = isDefaults || k == Section.Kind.BACKEND || k == Section.Kind.LISTEN;
    this.defaults = defaults;
    inherit(defaults);
  }

  /** Timeouts a section copies from its defaults, by capability ({@code proxy_defproxy_cpy}). */
  private static final List<String> FRONTEND_TIMEOUTS =
      List.of("client", "client-fin", "tarpit", "http-request", "http-keep-alive");
  private static final List<String> BACKEND_TIMEOUTS = List.of("connect", "server", "server-fin", "check",
      "queue", "tarpit", "http-request", "http-keep-alive", "tunnel");

  private void inherit(Proxy d) {
    if (d == null) {
      mode = new Setting<>("tcp", null, null);
      defaultServer = ServerLine.Params.defaults();
      checks = CheckSpec.NONE;
      return;
    }
    mode = d.mode;
    for (Map.Entry<String, Setting<Long>> e : d.timeouts.entrySet()) {
      if ((frontend && FRONTEND_TIMEOUTS.contains(e.getKey())) || (backend && BACKEND_TIMEOUTS.contains(e.getKey()))) {
        timeouts.put(e.getKey(), e.getValue());
      }
    }
    if (frontend) {
      defaultBackend = d.defaultBackend;
    }
    options.putAll(d.options);
    balance = d.balance;
    retries = d.retries;
    defaultServer = d.defaultServer.copy();
    checks = d.checks;
  }

  String title() {
    return section.title();
  }

  /** {@return the timeout in milliseconds, 0 when unset} */
  long timeout(String name) {
    Setting<Long> s = timeouts.get(name);
    return s == null ? 0 : s.value();
  }

  Setting<Long> timeoutSetting(String name) {
    return timeouts.get(name);
  }

  boolean option(String name) {
    Setting<Boolean> s = options.get(name);
    return s != null && s.value();
  }

  boolean http() {
    return mode.value().equals("http");
  }
}
