package io.tether.pool.haproxy;

import io.tether.pool.Balance;
import io.tether.pool.ConfigException;
import io.tether.pool.Endpoint;
import io.tether.pool.HealthCheck;
import io.tether.pool.OnMarkedDown;
import io.tether.pool.OnMarkedUp;
import io.tether.pool.PoolConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a client that talks to a backend's servers itself takes from that backend: its servers (weights,
 * backup order, disabled ones, check addresses, templates expanded), its checks as HAProxy runs them,
 * {@code on-marked-down}/{@code on-marked-up}, {@code observe}, balance, redispatch and retries. Settings
 * the file leaves unset keep what the builder has (Tether's defaults unless the caller set them), and the
 * explanation says so; values outside Tether's ranges are errors naming the line.
 */
final class BackendRules {
  private final String file;
  private final Proxy be;
  final List<String> explanation = new ArrayList<>();
  final List<String> warnings = new ArrayList<>();
  final List<Endpoint> servers = new ArrayList<>();
  HealthCheck check;
  OnMarkedDown onMarkedDown;
  OnMarkedUp onMarkedUp;
  Boolean observe;
  Integer errorLimit;
  Balance balance;
  Boolean redispatch;
  Integer retries;

  BackendRules(String file, Proxy be) {
    this.file = file;
    this.be = be;
    derive();
  }

  private HaproxyConfigException error(Directive d, String problem, String expected) {
    return new HaproxyConfigException(file, d.line(), d.text(), problem, expected);
  }

  private void derive() {
    if (be.servers.isEmpty()) {
      throw new HaproxyConfigException(file, be.section.line(), be.section.title(), be.title() + " has no server line",
          "at least one 'server <name> <host>:<port>' line");
    }
    boolean allBackups = be.option("allbackups");
    int backupRank = 0;
    ServerLine firstChecked = null;
    for (ServerLine s : be.servers) {
      if (s.templateHigh != 0 && s.params.get("resolvers") != null) {
        explanation.add("server-template " + s.name + " (line " + s.where.line() + ") is resolved from DNS at run "
            + "time: see HaproxyConfig.discovery");
        continue;
      }
      Endpoint base = endpoint(s);
      boolean backup = s.params.flag("backup");
      int priority = 0;
      if (backup) {
        priority = allBackups ? 1 : ++backupRank;
      }
      boolean checked = s.params.flag("check");
      if (checked && firstChecked == null) {
        firstChecked = s;
      }
      int i = 0;
      for (String name : s.names()) {
        Endpoint e = base.withName(name).withPriority(priority).withDisabled(s.params.flag("disabled"))
            .withChecked(checked);
        String w = s.params.get("weight");
        if (w != null) {
          e = e.withWeight(Integer.parseInt(w));
        }
        e = e.withCheckAddress(checkAddress(s, e));
        servers.add(e);
        i++;
      }
    }
    explanation.add("servers of " + be.title() + ": " + servers);
    if (be.servers.stream().anyMatch(s -> s.params.flag("backup"))) {
      explanation.add(allBackups ? "option allbackups: every backup server is balanced once no active server is up"
          : "backup servers take traffic one at a time, in file order, once no active server is up (HAProxy uses "
              + "the first backup that is up unless option allbackups is set)");
    }
    deriveChecks(firstChecked);
    deriveHealthReactions();
    deriveBalancing();
  }

  /** The server's address as Tether can connect to it, or an error saying why not. */
  private Endpoint endpoint(ServerLine s) {
    String a = s.address;
    Directive d = s.where;
    int at = a.indexOf('@');
    if (at > 0) {
      String prefix = a.substring(0, at + 1);
      if (List.of("ipv4@", "ipv6@", "ip@", "tcp@", "tcp4@", "tcp6@").contains(prefix)) {
        a = a.substring(at + 1);
      } else if (List.of("unix@", "abns@", "uxst@", "fd@", "sockpair@").contains(prefix)) {
        throw error(d, "server " + s.name + " is at " + a + ", a local socket HAProxy reaches; a client on its own "
            + "cannot use it", "a server at <host>:<port>");
      } else {
        throw error(d, "server " + s.name + ": address family '" + prefix + "' is not a TCP stream",
            "<host>:<port>, ipv4@<host>:<port> or ipv6@<host>:<port>");
      }
    }
    int end = a.length() - 1;
    int sep = -1;
    for (int i = end; i > 0; i--) {
      char c = a.charAt(i);
      if (c == ']' || c == ':') {
        sep = c == ':' ? i : -1;
        break;
      }
    }
    String host = sep < 0 ? a : a.substring(0, sep);
    String port = sep < 0 ? "" : a.substring(sep + 1);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isEmpty()) {
      throw error(d, "server " + s.name + " has no host in '" + s.address + "'", "<host>:<port>");
    }
    if (host.startsWith("_")) {
      throw error(d, "server " + s.name + " names a DNS SRV record (" + host + "): its servers come from DNS at run "
          + "time", "a host and port; SRV records are read from a resolvers section");
    }
    if (port.isEmpty() || ServerLine.atol(port) == 0 && (port.charAt(0) >= '0' && port.charAt(0) <= '9')) {
      throw error(d, "server " + s.name + " has no port: HAProxy connects to the port the client connected to, "
          + "which a client talking to the server directly does not have", "<host>:<port>");
    }
    char first = port.charAt(0);
    if (first == '+' || first == '-') {
      throw error(d, "server " + s.name + ": port offset '" + port + "' is relative to the port the client connected "
          + "to, which a client talking to the server directly does not have", "<host>:<port>");
    }
    if (first < '0' || first > '9') {
      throw error(d, "invalid character '" + first + "' in port number '" + port + "'", "<host>:<port>");
    }
    if (port.indexOf('-') >= 0) {
      throw error(d, "port range not permitted for server " + s.name, "<host>:<port>");
    }
    long p = ServerLine.atol(port);
    if (p > 65535) {
      throw error(d, "invalid port '" + port + "'", "a port 1-65535");
    }
    if (!ServerLine.atolWhole(port)) {
      warnings.add("line " + d.line() + ": port '" + port + "' of server " + s.name + ": HAProxy reads it as " + p);
    }
    try {
      return Endpoint.of(s.names().get(0), InetSocketAddress.createUnresolved(host, (int) p));
    } catch (IllegalArgumentException e) {
      throw error(d, e.getMessage(), "<host>:<port>");
    }
  }

  private InetSocketAddress checkAddress(ServerLine s, Endpoint e) {
    String addr = s.params.get("addr");
    String port = s.params.get("port");
    InetSocketAddress own = (InetSocketAddress) e.socketAddress();
    if (addr == null && (port == null || port.equals("0"))) {
      return null;
    }
    String host = own.getHostString();
    int p = own.getPort();
    if (addr != null) {
      String a = addr;
      int colon = a.lastIndexOf(':');
      if (colon > 0 && a.indexOf(':') == colon) {
        p = (int) ServerLine.atol(a.substring(colon + 1));
        a = a.substring(0, colon);
      }
      host = a.startsWith("[") && a.endsWith("]") ? a.substring(1, a.length() - 1) : a;
    }
    if (port != null && !port.equals("0")) {
      p = Integer.parseInt(port);
    }
    if (p < 1 || p > 65535) {
      throw error(s.where, "check port " + p + " of server " + s.name, "a port 1-65535");
    }
    return InetSocketAddress.createUnresolved(host, p);
  }

  private void deriveChecks(ServerLine first) {
    if (first == null) {
      explanation.add("no server has 'check': no health checks (every server counts as up)");
      check = HealthCheck.builder().enabled(false).build();
      return;
    }
    ServerLine.Params ps = first.params;
    long inter = ps.get("inter") != null ? Long.parseLong(ps.get("inter")) : 2000;
    HealthCheck.Builder hc = HealthCheck.builder().enabled(true);
    try {
      hc.inter(Duration.ofMillis(inter));
      if (ps.get("fastinter") != null) {
        hc.fastinter(Duration.ofMillis(Long.parseLong(ps.get("fastinter"))));
      }
      if (ps.get("downinter") != null) {
        hc.downinter(Duration.ofMillis(Long.parseLong(ps.get("downinter"))));
      }
      hc.fall((int) Math.min(Integer.MAX_VALUE, Long.parseLong(ps.get("fall") != null ? ps.get("fall") : "3")));
      hc.rise((int) Math.min(Integer.MAX_VALUE, Long.parseLong(ps.get("rise") != null ? ps.get("rise") : "2")));
    } catch (ConfigException e) {
      throw error(first.where, "derives " + e.getMessage(), "values inside Tether's ranges");
    }
    Proxy.Setting<Long> tcheck = positive(be.timeoutSetting("check"));
    Proxy.Setting<Long> tconnect = positive(be.timeoutSetting("connect"));
    long connect = inter;
    if (tcheck != null && tconnect != null) {
      connect = Math.min(inter, tconnect.value());
    }
    try {
      hc.connectTimeout(Duration.ofMillis(connect));
      hc.timeout(tcheck == null ? Duration.ZERO : Duration.ofMillis(tcheck.value()));
    } catch (ConfigException e) {
      Directive d = tcheck != null ? tcheck.where() : first.where;
      throw error(d, "derives " + e.getMessage(), "values inside Tether's ranges");
    }
    StringBuilder timing = new StringBuilder("checks as server " + first.name + " (line " + first.where.line()
        + ") says: inter " + HaproxyTime.format(inter) + ", fall " + hc.build().fall() + ", rise " + hc.build().rise());
    if (tcheck != null) {
      timing.append("; a check's connect may take ").append(HaproxyTime.format(connect))
          .append(tconnect != null ? " (the smaller of inter and timeout connect " + HaproxyTime.format(tconnect.value())
              + ", " + tconnect.origin() + ")" : " (inter: no timeout connect)")
          .append(", the rest timeout check ").append(HaproxyTime.format(tcheck.value())).append(" (")
          .append(tcheck.origin()).append(")");
    } else {
      timing.append("; no timeout check: each check, connect included, must finish within inter");
    }
    explanation.add(timing.toString());
    for (ServerLine s : be.servers) {
      if (s != first && s.params.flag("check")) {
        for (String k : List.of("inter", "fastinter", "downinter", "fall", "rise")) {
          if (!java.util.Objects.equals(s.params.get(k), ps.get(k))) {
            warnings.add("server " + s.name + " (line " + s.where.line() + ") has other check timing (" + k + ") than "
                + first.name + "; Tether checks every server of a pool with one timing, " + first.name + "'s");
            break;
          }
        }
      }
    }
    CheckSpec spec = be.checks;
    switch (spec.kind) {
      case HTTP: {
        hc.http(spec.method, spec.uri).httpVersion(spec.version);
        spec.headers.forEach(hc::httpHeader);
        if (!spec.body.isEmpty()) {
          hc.httpBody(spec.body);
        }
        if (!spec.expects.isEmpty()) {
          hc.httpExpect(spec.expects.get(0));
          if (spec.expects.size() > 1) {
            warnings.add("several http-check expect rules: Tether applies the first, " + spec.expects.get(0));
          }
        }
        hc.httpDisableOn404(spec.disableOn404);
        explanation.add("option httpchk (line " + spec.where.line() + "): " + spec.method + " " + spec.uri + " "
            + spec.version + ", passing on " + (spec.expects.isEmpty() ? HealthCheck.Expect.DEFAULT : spec.expects.get(0))
            + (spec.disableOn404 ? ", a 404 drains the server" : ""));
        break;
      }
      case TCP_CHECK:
        explanation.add("option tcp-check (line " + spec.where.line() + "): Tether checks with a TCP connect");
        warnings.add("tcp-check rules are not replayed: Tether's check passes on a connect where HAProxy's may not");
        break;
      case OTHER:
        explanation.add("option " + spec.other + " (line " + spec.where.line() + "): Tether checks with a TCP connect");
        warnings.add("option " + spec.other + " speaks a protocol Tether's checks do not: a server that accepts "
            + "connections but fails that protocol stays up in Tether");
        break;
      default:
        explanation.add("no check option: a check is a TCP connect, as in HAProxy");
    }
    spec.unsupported.forEach(u -> warnings.add(u + " is not replayed by Tether's checks"));
    String checkSsl = ps.get("check-ssl");
    boolean ssl = "1".equals(checkSsl)
        || (checkSsl == null && ps.get("addr") == null && ps.get("port") == null && ps.flag("ssl"));
    hc.ssl(ssl);
    if (ssl) {
      explanation.add("checks use TLS (" + (checkSsl != null ? "check-ssl" : "the server's ssl") + ")");
    }
    check = hc.build();
  }

  private static Proxy.Setting<Long> positive(Proxy.Setting<Long> s) {
    return s == null || s.value() == 0 ? null : s;
  }

  private void deriveHealthReactions() {
    ServerLine first = be.servers.stream().filter(s -> s.params.flag("check")).findFirst().orElse(be.servers.get(0));
    ServerLine.Params ps = first.params;
    if (ps.get("on-marked-down") != null) {
      onMarkedDown = OnMarkedDown.SHUTDOWN_SESSIONS;
      explanation.add("on-marked-down shutdown-sessions (line " + ps.line("on-marked-down") + ")");
    } else {
      explanation.add("no on-marked-down on the server lines: HAProxy would leave sessions on a dead server open; "
          + "Tether keeps its own setting (tether.pool.on-marked-down, default shutdown-sessions)");
    }
    if (ps.get("on-marked-up") != null) {
      onMarkedUp = OnMarkedUp.SHUTDOWN_BACKUP_SESSIONS;
      explanation.add("on-marked-up shutdown-backup-sessions (line " + ps.line("on-marked-up") + ")");
    }
    String obs = ps.get("observe");
    if (obs != null) {
      observe = !obs.equals("none");
      if (obs.equals("layer7")) {
        warnings.add("observe layer7 (line " + ps.line("observe") + "): Tether observes connect failures and resets "
            + "(layer4), not HTTP statuses");
      }
      explanation.add("observe " + obs + " (line " + ps.line("observe") + ")");
    } else {
      explanation.add("no observe on the server lines: HAProxy would not count errors of live traffic; Tether keeps "
          + "its own setting (tether.pool.observe, default layer4)");
    }
    if (ps.get("error-limit") != null) {
      errorLimit = (int) Math.min(Integer.MAX_VALUE, Long.parseLong(ps.get("error-limit")));
      if (errorLimit > 1000) {
        throw new HaproxyConfigException(file, ps.line("error-limit"), "error-limit " + errorLimit,
            "outside tether.pool.error-limit", "1 to 1000");
      }
    }
  }

  private void deriveBalancing() {
    Proxy.Setting<List<String>> b = be.balance;
    if (b != null) {
      String algo = b.value().get(0);
      if (algo.equals("roundrobin") || algo.equals("static-rr")) {
        balance = Balance.ROUNDROBIN;
      } else if (algo.equals("leastconn")) {
        balance = Balance.LEASTCONN;
      } else {
        warnings.add("balance " + String.join(" ", b.value()) + " (" + b.origin() + "): Tether balances by leastconn "
            + "or roundrobin only; it keeps its own setting");
      }
      if (balance != null) {
        explanation.add("balance " + algo + " (" + b.origin() + ")");
      }
    }
    Proxy.Setting<Boolean> red = be.options.get("redispatch");
    if (red != null) {
      redispatch = red.value();
      explanation.add((red.value() ? "option redispatch" : "no option redispatch") + " (" + red.origin() + ")");
    }
    if (be.retries != null) {
      int r = be.retries.value();
      if (r < 0 || r > 10) {
        Directive d = be.retries.where();
        throw new HaproxyConfigException(file, d.line(), d.text(), "retries " + r
            + " is outside tether.pool.retries", "0 to 10 connect attempts after the first");
      }
      retries = r;
      explanation.add("retries " + r + " (" + be.retries.origin() + ")");
    }
  }

  /** Sets what was derived on {@code b}; what the file leaves unset stays as {@code b} has it. */
  void applyTo(PoolConfig.Builder b) {
    b.servers(servers);
    b.healthCheck(check);
    if (onMarkedDown != null) {
      b.onMarkedDown(onMarkedDown);
    }
    if (onMarkedUp != null) {
      b.onMarkedUp(onMarkedUp);
    }
    if (observe != null) {
      b.observe(observe);
    }
    if (errorLimit != null) {
      b.errorLimit(errorLimit);
    }
    if (balance != null) {
      b.balance(balance);
    }
    if (redispatch != null) {
      b.redispatch(redispatch);
    }
    if (retries != null) {
      b.retries(retries);
    }
  }
}
