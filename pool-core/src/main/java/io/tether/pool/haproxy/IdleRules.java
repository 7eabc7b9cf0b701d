package io.tether.pool.haproxy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * When HAProxy 2.6 closes an idle client connection of a frontend, from its source:
 *
 * <ul>
 *   <li><b>HTTP</b> ({@code mux_h1.c}): the connection's task exists only if {@code timeout client} is set
 *       (0 means unset); it expires at {@code timeout client} after the last I/O, or earlier at the idle
 *       expiry: {@code timeout http-keep-alive} between requests (if set), else {@code timeout
 *       http-request}; before the first request only {@code timeout http-request}. The frontend's values
 *       count ({@code h1c->px}); a backend's do not. A TCP frontend that hands the connection to an HTTP
 *       backend upgrades it and follows the same rules with its own values.
 *   <li><b>TCP</b> ({@code stream.c}): the client side reads with {@code timeout client} of the frontend,
 *       the server side with {@code timeout server} of the backend; the first to expire ends the
 *       connection. Once established, {@code timeout tunnel} of the backend, if set, replaces both.
 *   <li>When {@code use_backend} rules pick among several backends, the shortest candidate counts.
 * </ul>
 */
final class IdleRules {
  private final Proxies proxies;
  private final String file;

  IdleRules(Proxies proxies, String file) {
    this.proxies = proxies;
    this.file = file;
  }

  /** Idle time after which HAProxy closes a client connection that carried a request and got its answer. */
  Derivation<Duration> afterResponse(Proxy fe) {
    return derive(fe, false);
  }

  /** The same for a connection that has not carried a request yet (a warmed-up pooled connection). */
  Derivation<Duration> beforeFirstRequest(Proxy fe) {
    return derive(fe, true);
  }

  private static String describe(String name, Proxy.Setting<Long> s) {
    return "timeout " + name + " " + HaproxyTime.format(s.value()) + " (" + s.origin() + ")";
  }

  /** One candidate's result: milliseconds (Long.MAX_VALUE: never), the sentence, the deciding line. */
  private record Part(long millis, String because, int line) {}

  private Derivation<Duration> derive(Proxy fe, boolean firstRequest) {
    List<String> explanation = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    List<Proxy> backends = proxies.candidates(fe);
    List<Part> parts = new ArrayList<>();
    boolean anyHttp = false;
    if (fe.http()) {
      parts.add(http(fe, firstRequest));
      anyHttp = true;
    } else if (backends.isEmpty()) {
      throw new HaproxyConfigException(file, fe.section.line(), fe.section.title(), fe.title()
          + " (mode tcp) has no default_backend and no use_backend: HAProxy has nowhere to send its connections",
          "a default_backend, or use_backend rules, to derive an idle timeout from");
    } else {
      for (Proxy be : backends) {
        Part p = be.http() ? http(fe, firstRequest) : tcp(fe, be);
        anyHttp |= be.http();
        parts.add(be == fe ? p : new Part(p.millis, p.because + (be.http() ? ", " + be.title()
            + " is in mode http, so HAProxy upgrades the connection to HTTP" : ""), p.line));
      }
    }
    Part best = parts.get(0);
    for (Part p : parts) {
      if (p.millis < best.millis) {
        best = p;
      }
    }
    if (parts.size() > 1) {
      explanation.add(fe.title() + " picks its backend with use_backend rules; the shortest of its "
          + parts.size() + " candidates counts:");
      for (int i = 0; i < parts.size(); i++) {
        explanation.add("  " + backends.get(i).title() + ": " + parts.get(i).because);
      }
    } else {
      explanation.add(best.because);
    }
    for (Proxy.UseBackend u : fe.useBackends) {
      if (u.dynamic()) {
        warnings.add("use_backend " + u.name() + " (line " + u.where().line() + ") names its backend at run time;"
            + " its timeouts are not counted");
      }
    }
    if (anyHttp) {
      for (Proxy p : fe.http() ? List.of(fe) : backends) {
        if (p.option("httpclose")) {
          warnings.add(p.title() + " has option httpclose (" + p.options.get("httpclose").origin() + "): HAProxy closes "
              + "every client connection after one response, so a pooled connection is never reused");
        }
      }
    }
    Duration value = best.millis == Long.MAX_VALUE ? null : Duration.ofMillis(best.millis);
    return new Derivation<>(value, explanation, warnings, best.line);
  }

  private Part http(Proxy fe, boolean firstRequest) {
    Proxy.Setting<Long> client = set(fe.timeoutSetting("client"));
    Proxy.Setting<Long> ka = set(fe.timeoutSetting("http-keep-alive"));
    Proxy.Setting<Long> req = set(fe.timeoutSetting("http-request"));
    String what = firstRequest ? "before its first request" : "between requests";
    if (client == null) {
      return new Part(Long.MAX_VALUE, "never: " + fe.title() + " (mode http) sets no timeout client"
          + zeroNote(fe, "client") + ", and without it HAProxy arms no idle timer for a connection", 0);
    }
    Proxy.Setting<Long> idle;
    String idleName;
    if (!firstRequest && ka != null) {
      idle = ka;
      idleName = "http-keep-alive";
    } else {
      idle = req;
      idleName = "http-request";
    }
    if (idle == null) {
      String missing = firstRequest ? "no timeout http-request" + zeroNote(fe, "http-request")
          : "neither timeout http-keep-alive" + zeroNote(fe, "http-keep-alive") + " nor timeout http-request"
              + zeroNote(fe, "http-request");
      return new Part(client.value(), HaproxyTime.format(client.value()) + " " + what + ": "
          + describe("client", client) + " (mode http, " + missing + ")", client.where().line());
    }
    if (client.value() <= idle.value()) {
      return new Part(client.value(), HaproxyTime.format(client.value()) + " " + what + ": "
          + describe("client", client) + " caps " + describe(idleName, idle), client.where().line());
    }
    return new Part(idle.value(), HaproxyTime.format(idle.value()) + " " + what + ": " + describe(idleName, idle)
        + ", below " + describe("client", client), idle.where().line());
  }

  private Part tcp(Proxy fe, Proxy be) {
    Proxy.Setting<Long> tunnel = set(be.timeoutSetting("tunnel"));
    if (tunnel != null) {
      return new Part(tunnel.value(), HaproxyTime.format(tunnel.value()) + ": " + describe("tunnel", tunnel)
          + " replaces timeout client and timeout server once the connection is established (mode tcp)",
          tunnel.where().line());
    }
    Proxy.Setting<Long> client = set(fe.timeoutSetting("client"));
    Proxy.Setting<Long> server = set(be.timeoutSetting("server"));
    if (client == null && server == null) {
      return new Part(Long.MAX_VALUE, "never: mode tcp with no timeout client in " + fe.title() + zeroNote(fe, "client")
          + ", no timeout server in " + be.title() + zeroNote(be, "server") + " and no timeout tunnel", 0);
    }
    if (server == null || (client != null && client.value() <= server.value())) {
      return new Part(client.value(), HaproxyTime.format(client.value()) + ": " + describe("client", client)
          + (server == null ? ", no timeout server in " + be.title() : ", below " + describe("server", server))
          + " (mode tcp: the first side to time out ends the connection)", client.where().line());
    }
    return new Part(server.value(), HaproxyTime.format(server.value()) + ": " + describe("server", server)
        + (client == null ? ", no timeout client in " + fe.title() : ", below " + describe("client", client))
        + " (mode tcp: the first side to time out ends the connection)", server.where().line());
  }

  /** A timeout set to 0 is unset: the setting itself, or null. */
  private static Proxy.Setting<Long> set(Proxy.Setting<Long> s) {
    return s == null || s.value() == 0 ? null : s;
  }

  private static String zeroNote(Proxy p, String name) {
    Proxy.Setting<Long> s = p.timeoutSetting(name);
    return s != null && s.value() == 0 && s.where() != null
        ? " (timeout " + name + " 0 at " + s.origin() + " means unset)" : "";
  }
}
