package io.tether.pool.haproxy;

import io.tether.pool.HealthCheck;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds every proxy from the sections, in file order, as HAProxy's {@code cfg_parse_listen()} does: a
 * proxy starts from the last {@code defaults} before it (or the one its {@code from} names), copying
 * what its capabilities take; frontends and backends have separate name spaces (a {@code listen} is in
 * both); then its own directives apply one by one. Only what bears on pooled clients is interpreted:
 * mode, timeouts, backend selection, servers, checks, balancing; other keywords are HAProxy's business.
 */
final class Proxies {
  static final List<String> TIMEOUTS = List.of("client", "tarpit", "http-keep-alive", "http-request", "server",
      "connect", "check", "queue", "tunnel", "client-fin", "server-fin");
  private static final List<String> FRONTEND_ONLY = List.of("client", "client-fin");
  private static final List<String> BACKEND_ONLY = List.of("server", "connect", "check", "queue", "tunnel",
      "server-fin");

  private final ConfigReader reader;
  final Map<String, Proxy> frontends = new LinkedHashMap<>();
  final Map<String, Proxy> backends = new LinkedHashMap<>();
  final List<Proxy> all = new ArrayList<>();

  Proxies(ConfigReader reader) {
    this.reader = reader;
  }

  private HaproxyConfigException error(Directive d, String problem, String expected) {
    return reader.error(d.line(), d.text(), problem, expected);
  }

  void build(List<Section> sections) {
    Proxy lastDefaults = null;
    Map<String, List<Proxy>> named = new LinkedHashMap<>();
    for (Section s : sections) {
      if (s.kind() != Section.Kind.DEFAULTS && !s.kind().isProxy()) {
        continue;
      }
      Proxy base;
      if (s.from() != null) {
        List<Proxy> found = named.get(s.from());
        if (found == null) {
          throw reader.error(s.line(), s.title() + " from " + s.from(), "defaults section '" + s.from()
              + "' not found before it", "the name of a defaults section above: " + named.keySet());
        }
        if (found.size() > 1) {
          throw reader.error(s.line(), s.title() + " from " + s.from(), "ambiguous defaults section name '"
              + s.from() + "': lines " + found.get(0).section.line() + " and " + found.get(1).section.line(), "");
        }
        base = found.get(0);
      } else {
        base = s.kind() == Section.Kind.DEFAULTS ? null : lastDefaults;
      }
      Proxy p = new Proxy(s, base);
      if (s.kind() == Section.Kind.DEFAULTS) {
        lastDefaults = p;
        if (!s.name().isEmpty()) {
          named.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(p);
        }
      } else {
        register(p);
      }
      for (Directive d : s.directives) {
        apply(p, d);
      }
      all.add(p);
    }
    for (Proxy p : all) {
      if (p.section.kind() != Section.Kind.DEFAULTS) {
        finish(p);
      }
    }
  }

  private void register(Proxy p) {
    Section s = p.section;
    if (p.frontend) {
      Proxy other = frontends.get(s.name());
      if (other != null) {
        throw reader.error(s.line(), s.title(), s.title() + " has the same name as " + other.title()
            + " declared at line " + other.section.line(), "a name no other frontend or listen section has");
      }
      frontends.put(s.name(), p);
    }
    if (p.backend) {
      Proxy other = backends.get(s.name());
      if (other != null) {
        throw reader.error(s.line(), s.title(), s.title() + " has the same name as " + other.title()
            + " declared at line " + other.section.line(), "a name no other backend or listen section has");
      }
      backends.put(s.name(), p);
    }
  }

  private void apply(Proxy p, Directive d) {
    String kw = d.keyword();
    switch (kw) {
      case "mode":
        mode(p, d);
        break;
      case "timeout":
        timeout(p, d);
        break;
      case "contimeout":
      case "clitimeout":
      case "srvtimeout":
        throw error(d, "'" + kw + "' is not supported anymore since HAProxy 2.1", "timeout connect/client/server");
      case "default_backend":
        if (d.arg(0) == null) {
          throw error(d, "'default_backend' expects a backend name", "default_backend <backend>");
        }
        if (!p.frontend) {
          reader.warn(d.line(), "'default_backend' ignored: " + p.title() + " has no frontend capability");
        } else {
          p.defaultBackend = new Proxy.Setting<>(d.arg(0), d, p.section);
        }
        break;
      case "use_backend":
        useBackend(p, d);
        break;
      case "option":
        option(p, d);
        break;
      case "http-check":
        httpCheck(p, d);
        break;
      case "tcp-check":
        if (p.checks.kind != CheckSpec.Kind.TCP_CHECK) {
          p.checks = p.checks.unsupported("tcp-check rules (line " + d.line() + ")");
        }
        break;
      case "balance":
        if (d.arg(0) == null) {
          throw error(d, "'balance' expects an algorithm", "roundrobin, static-rr, leastconn, first, source, uri, "
              + "url_param, hdr(<name>), random, rdp-cookie");
        }
        p.balance = new Proxy.Setting<>(d.words().subList(1, d.words().size()), d, p.section);
        break;
      case "retries":
        if (d.arg(0) == null) {
          throw error(d, "'retries' expects an integer argument", "retries <count>");
        }
        p.retries = new Proxy.Setting<>((int) ServerLine.atol(d.arg(0)), d, p.section);
        break;
      case "disabled":
        p.disabled = true;
        break;
      case "enabled":
        p.disabled = false;
        break;
      case "server":
      case "default-server":
      case "server-template":
        Servers.parse(this, reader, p, d);
        break;
      default:
        break;
    }
  }

  private void mode(Proxy p, Directive d) {
    String m = d.arg(0) == null ? "" : d.arg(0);
    if (m.equals("health")) {
      throw error(d, "'mode health' doesn't exist anymore", "tcp or http");
    }
    if (!m.equals("tcp") && !m.equals("http")) {
      throw error(d, "unknown proxy mode '" + m + "'", "tcp or http");
    }
    if (d.arg(1) != null) {
      throw error(d, "'mode' takes one argument", "mode tcp|http");
    }
    p.mode = new Proxy.Setting<>(m, d, p.section);
  }

  private void timeout(Proxy p, Directive d) {
    String name = d.arg(0);
    if (name == null || !TIMEOUTS.contains(name)) {
      throw error(d, "'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', "
          + "'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin'" + (name == null ? "" : " (got '" + name + "')"),
          "timeout <name> <time>");
    }
    String value = d.arg(1);
    if (value == null) {
      throw error(d, "'timeout " + name + "' expects an integer value (in milliseconds)",
          "a time such as 500ms, 10s or 9m (a bare number is milliseconds)");
    }
    HaproxyTime.Result r = HaproxyTime.parse(value);
    if (r.error() != null) {
      throw error(d, r.error() + " in 'timeout " + name + "'", "a time such as 500ms, 10s or 9m, below 24.8 days");
    }
    if (d.arg(2) != null) {
      throw error(d, "'timeout " + name + "': unexpected extra argument '" + d.arg(2) + "' after value '" + value + "'",
          "timeout <name> <time>");
    }
    if (r.warning() != null) {
      reader.warn(d.line(), r.warning());
    }
    boolean ignored = (FRONTEND_ONLY.contains(name) && !p.frontend) || (BACKEND_ONLY.contains(name) && !p.backend);
    if (ignored) {
      reader.warn(d.line(), "'timeout " + name + "' will be ignored because " + p.title() + " has no "
          + (FRONTEND_ONLY.contains(name) ? "frontend" : "backend") + " capability");
    } else if (p.defaults != null && p.timeout(name) != p.defaults.timeout(name)) {
      reader.warn(d.line(), "overwriting 'timeout " + name + "' which was already specified");
    }
    p.timeouts.put(name, new Proxy.Setting<>(r.millis(), d, p.section));
  }

  private void useBackend(Proxy p, Directive d) {
    String name = d.arg(0);
    if (name == null) {
      throw error(d, "'use_backend' expects a backend name", "use_backend <backend> [if|unless <condition>]");
    }
    if (!p.frontend) {
      reader.warn(d.line(), "'use_backend' ignored: " + p.title() + " has no frontend capability");
      return;
    }
    String cond = d.arg(1);
    if (cond != null && !cond.equals("if") && !cond.equals("unless")) {
      throw error(d, "unexpected '" + cond + "' after the backend name", "use_backend <backend> [if|unless <condition>]");
    }
    boolean dynamic = name.contains("%[") || name.contains("%");
    p.useBackends.add(new Proxy.UseBackend(name, dynamic, cond != null, d));
  }

  private void option(Proxy p, Directive d) {
    String name = d.arg(0);
    if (name == null) {
      throw error(d, "'option' expects an option name", "option <name>");
    }
    boolean on = !d.negated();
    p.options.put(name, new Proxy.Setting<>(on, d, p.section));
    switch (name) {
      case "httpchk": {
        if (!on) {
          break;
        }
        if (!p.backend) {
          reader.warn(d.line(), "'option httpchk' ignored: " + p.title() + " has no backend capability");
        }
        if (d.arg(4) != null) {
          throw error(d, "'option httpchk' takes at most 3 arguments", "option httpchk [<method>] [<uri>] [<version>]");
        }
        String a = d.arg(1);
        String b = d.arg(2);
        String c = d.arg(3);
        String method = a != null && b != null ? a : null;
        String uri = b != null ? b : a;
        String version = c;
        Map<String, String> headers = new LinkedHashMap<>();
        String body = null;
        if (version != null) {
          int bodyAt = version.indexOf("\r\n\r\n");
          if (bodyAt >= 0) {
            body = version.substring(bodyAt + 4);
            version = version.substring(0, bodyAt);
          }
          int hdrAt = version.indexOf("\r\n");
          if (hdrAt >= 0) {
            for (String h : version.substring(hdrAt + 2).split("\r\n")) {
              int colon = h.indexOf(':');
              if (colon > 0) {
                headers.put(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
              }
            }
            version = version.substring(0, hdrAt);
            reader.warn(d.line(), "hiding headers or body at the end of the version string is deprecated");
          }
        }
        p.checks = p.checks.freshRequest(d).request(method, uri, version, headers, body, d);
        break;
      }
      case "tcp-check":
        if (on) {
          p.checks = p.checks.kind(CheckSpec.Kind.TCP_CHECK, null, d);
        }
        break;
      case "ssl-hello-chk":
      case "smtpchk":
      case "pgsql-check":
      case "redis-check":
      case "mysql-check":
      case "ldap-check":
      case "spop-check":
      case "external-check":
        if (on) {
          p.checks = p.checks.kind(CheckSpec.Kind.OTHER, name, d);
        }
        break;
      default:
        break;
    }
  }

  private void httpCheck(Proxy p, Directive d) {
    String what = d.arg(0);
    if (what == null) {
      throw error(d, "'http-check' expects an action",
          "http-check send|expect|connect|comment|set-var|unset-var|disable-on-404|send-state");
    }
    if (what.startsWith("set-var(") || what.startsWith("unset-var(")) {
      return;
    }
    switch (what) {
      case "disable-on-404":
        p.checks = p.checks.flags(true, p.checks.sendState);
        break;
      case "send-state":
        p.checks = p.checks.flags(p.checks.disableOn404, true);
        break;
      case "send":
        send(p, d);
        break;
      case "expect":
        expect(p, d);
        break;
      case "connect":
        if (d.words().size() > 2) {
          p.checks = p.checks.unsupported("'" + d.text() + "' (line " + d.line() + ")");
        }
        break;
      case "comment":
      case "set-var":
      case "unset-var":
        break;
      default:
        throw error(d, "'http-check' only supports 'comment', 'connect', 'send', 'expect', 'set-var', 'unset-var', "
            + "'disable-on-404' and 'send-state' (got '" + what + "')", "");
    }
  }

  private void send(Proxy p, Directive d) {
    String method = null;
    String uri = null;
    String version = null;
    String body = null;
    Map<String, String> headers = new LinkedHashMap<>();
    List<String> w = d.words();
    for (int i = 2; i < w.size(); i++) {
      String k = w.get(i);
      String v = i + 1 < w.size() ? w.get(i + 1) : null;
      switch (k) {
        case "meth":
        case "uri":
        case "uri-lf":
        case "ver":
        case "body":
        case "body-lf":
        case "comment":
          if (v == null) {
            throw error(d, "'" + k + "' expects a value", "http-check send [meth <m>] [uri <u>] [ver <v>] [hdr <n> <v>]* [body <b>]");
          }
          if (k.equals("meth")) {
            method = v;
          } else if (k.equals("uri")) {
            uri = v;
          } else if (k.equals("ver")) {
            version = v;
          } else if (k.equals("body")) {
            body = v;
          } else if (!k.equals("comment")) {
            p.checks = p.checks.unsupported("'" + k + " " + v + "': log-format values (line " + d.line() + ")");
          }
          i++;
          break;
        case "hdr":
          if (v == null || i + 2 >= w.size()) {
            throw error(d, "'hdr' expects <name> and <value>", "hdr <name> <value>");
          }
          headers.put(v, w.get(i + 2));
          i += 2;
          break;
        default:
          throw error(d, "unknown 'http-check send' parameter '" + k + "'", "meth, uri, uri-lf, ver, hdr, body, body-lf or comment");
      }
    }
    p.checks = p.checks.request(method, uri, version, headers, body, d);
  }

  private void expect(Proxy p, Directive d) {
    List<String> w = d.words();
    int i = 2;
    while (i < w.size()) {
      String k = w.get(i);
      if (k.equals("min-recv") || k.equals("comment") || k.equals("ok-status") || k.equals("error-status")
          || k.equals("tout-status") || k.equals("on-success") || k.equals("on-error") || k.equals("status-code")) {
        i += 2;
        continue;
      }
      break;
    }
    boolean neg = false;
    if (i < w.size() && w.get(i).equals("!")) {
      neg = true;
      i++;
    }
    if (i + 1 >= w.size()) {
      throw error(d, "'http-check expect' expects a match and a pattern",
          "[!] status|rstatus|hdr|fhdr|string|rstring <pattern>");
    }
    String match = w.get(i);
    String pattern = w.get(i + 1);
    HealthCheck.Expect.Kind kind;
    switch (match) {
      case "status":
        kind = HealthCheck.Expect.Kind.STATUS;
        break;
      case "rstatus":
        kind = HealthCheck.Expect.Kind.RSTATUS;
        break;
      case "string":
        kind = HealthCheck.Expect.Kind.STRING;
        break;
      case "rstring":
        kind = HealthCheck.Expect.Kind.RSTRING;
        break;
      case "hdr":
      case "fhdr":
        p.checks = p.checks.unsupported("'http-check expect " + match + "' (line " + d.line() + ")");
        return;
      default:
        throw error(d, "unknown match '" + match + "'", "status, rstatus, hdr, fhdr, string or rstring");
    }
    try {
      p.checks = p.checks.expect(new HealthCheck.Expect(kind, neg, pattern));
    } catch (IllegalArgumentException e) {
      throw error(d, e.getMessage(), "");
    }
  }

  /** After every section is read: backends referenced exist, modes fit, no unused check rules. */
  private void finish(Proxy p) {
    List<Proxy> backendsOf = p.frontend ? candidates(p) : List.of();
    if (p.frontend && p.http()) {
      for (Proxy b : backendsOf) {
        if (!b.http()) {
          Directive where = b.mode.where() != null ? b.mode.where() : new Directive(List.of(b.title()), b.section.line(), "");
          throw reader.error(where.line(), where.text(), "unable to use " + b.title() + " (mode tcp) as a backend of "
              + p.title() + " (mode http)", "a backend in mode http");
        }
      }
    }
  }

  /** The backends {@code fe} can send connections to, each once: use_backend rules, then the default. */
  List<Proxy> candidates(Proxy fe) {
    List<Proxy> out = new ArrayList<>();
    for (Proxy.UseBackend u : fe.useBackends) {
      if (u.dynamic()) {
        continue;
      }
      Proxy b = backends.get(u.name());
      if (b == null) {
        throw reader.error(u.where().line(), u.where().text(), "unable to find required use_backend: '" + u.name() + "'",
            "the name of a backend or listen section");
      }
      if (!out.contains(b)) {
        out.add(b);
      }
    }
    Proxy def = defaultBackend(fe);
    if (def != null && !out.contains(def)) {
      out.add(def);
    }
    return out;
  }

  /** The default backend: {@code default_backend}, or for a listen section, itself. */
  Proxy defaultBackend(Proxy fe) {
    if (fe.defaultBackend != null) {
      Proxy b = backends.get(fe.defaultBackend.value());
      if (b == null) {
        Directive d = fe.defaultBackend.where();
        throw reader.error(d.line(), d.text(), "unable to find required default_backend: '" + fe.defaultBackend.value()
            + "'", "the name of a backend or listen section");
      }
      return b;
    }
    return fe.backend ? fe : null;
  }
}
