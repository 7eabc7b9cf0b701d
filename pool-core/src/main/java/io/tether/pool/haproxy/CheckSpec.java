package io.tether.pool.haproxy;

import io.tether.pool.HealthCheck;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a backend checks its servers, from {@code option httpchk}, {@code http-check} and the other check
 * options: HAProxy's defaults are {@code OPTIONS / HTTP/1.0}, any 2xx or 3xx passing. Immutable; each
 * directive makes a modified copy.
 */
final class CheckSpec {
  /** What kind of check the options ask for. */
  enum Kind {
    /** No check option: a TCP connect. */
    CONNECT,
    /** {@code option httpchk}. */
    HTTP,
    /** {@code option tcp-check}: rules Tether does not replay; it checks with a TCP connect. */
    TCP_CHECK,
    /** A protocol check ({@code option mysql-check}...) Tether does not speak; a TCP connect instead. */
    OTHER
  }

  static final CheckSpec NONE = new CheckSpec(Kind.CONNECT, null, "OPTIONS", "/", "HTTP/1.0", Map.of(), "",
      List.of(), false, false, null, List.of());

  final Kind kind;
  final String other;
  final String method;
  final String uri;
  final String version;
  final Map<String, String> headers;
  final String body;
  final List<HealthCheck.Expect> expects;
  final boolean disableOn404;
  final boolean sendState;
  final Directive where;
  /** What a Tether check cannot do that this one does, for warnings. */
  final List<String> unsupported;

  CheckSpec(Kind kind, String other, String method, String uri, String version, Map<String, String> headers,
      String body, List<HealthCheck.Expect> expects, boolean disableOn404, boolean sendState, Directive where,
      List<String> unsupported) {
    this.kind = kind;
    this.other = other;
    this.method = method;
    this.uri = uri;
    this.version = version;
    this.headers = Map.copyOf(headers);
    this.body = body;
    this.expects = List.copyOf(expects);
    this.disableOn404 = disableOn404;
    this.sendState = sendState;
    this.where = where;
    this.unsupported = List.copyOf(unsupported);
  }

  CheckSpec kind(Kind k, String otherName, Directive d) {
    return new CheckSpec(k, otherName, method, uri, version, headers, body, expects, disableOn404, sendState, d,
        unsupported);
  }

  CheckSpec request(String m, String u, String v, Map<String, String> addHeaders, String b, Directive d) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.putAll(addHeaders);
    return new CheckSpec(kind, other, m != null ? m : method, u != null ? u : uri, v != null ? v : version, h,
        b != null ? b : body, expects, disableOn404, sendState, where == null ? d : where, unsupported);
  }

  CheckSpec expect(HealthCheck.Expect e) {
    List<HealthCheck.Expect> x = new ArrayList<>(expects);
    x.add(e);
    return new CheckSpec(kind, other, method, uri, version, headers, body, x, disableOn404, sendState, where,
        unsupported);
  }

  CheckSpec flags(boolean on404, boolean state) {
    return new CheckSpec(kind, other, method, uri, version, headers, body, expects, on404, state, where,
        unsupported);
  }

  CheckSpec unsupported(String what) {
    List<String> u = new ArrayList<>(unsupported);
    u.add(what);
    return new CheckSpec(kind, other, method, uri, version, headers, body, expects, disableOn404, sendState, where,
        u);
  }

  /** The same request, expectations and flags, but the check kind reset (a new {@code option httpchk}). */
  CheckSpec freshRequest(Directive d) {
    return new CheckSpec(Kind.HTTP, null, "OPTIONS", "/", "HTTP/1.0", Map.of(), "", expects, disableOn404,
        sendState, d, unsupported);
  }
}
