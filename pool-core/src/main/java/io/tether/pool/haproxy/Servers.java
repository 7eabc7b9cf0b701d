package io.tether.pool.haproxy;

import java.util.List;

/**
 * Reads {@code server}, {@code default-server} and {@code server-template} lines into {@link ServerLine}s:
 * name rules, address forms, and each keyword with the number of words HAProxy 2.6 gives it. Values
 * HAProxy checks are checked the same way (weight 0-256, rise and fall above 0, times); values HAProxy
 * reads with C's {@code atol} are read the same way, with a warning when that drops characters.
 */
final class Servers {
  private Servers() {}

  static void parse(Proxies proxies, ConfigReader reader, Proxy p, Directive d) {
    String kw = d.keyword();
    boolean isDefault = kw.equals("default-server");
    boolean template = kw.equals("server-template");
    if (!isDefault && p.section.kind() == Section.Kind.DEFAULTS) {
      throw reader.error(d.line(), d.text(), "'" + kw + "' not allowed in 'defaults' section", "default-server");
    }
    if (!p.backend) {
      throw reader.error(d.line(), d.text(), "'" + kw + "' not allowed: " + p.title() + " has no backend capability",
          "a backend or listen section");
    }
    List<String> w = d.words();
    int cur;
    String name = null;
    String address = null;
    int low = 0;
    int high = 0;
    ServerLine.Params params = isDefault ? p.defaultServer : p.defaultServer.copy();
    if (isDefault) {
      cur = 1;
    } else if (template) {
      if (w.size() < 4) {
        throw reader.error(d.line(), d.text(), "'server-template' expects <prefix> <nb | range> <addr>[:<port>]", "");
      }
      name = w.get(1);
      if (!ServerLine.validName(name, true)) {
        throw reader.error(d.line(), d.text(), "a character of '" + name + "' is not permitted in a server-template prefix",
            "letters, digits, '.', '_' and '-'");
      }
      String range = w.get(2);
      int dash = range.indexOf('-');
      if (dash >= 0) {
        low = (int) ServerLine.atol(range.substring(0, dash));
        high = (int) ServerLine.atol(range.substring(dash + 1));
      } else {
        low = 1;
        high = (int) ServerLine.atol(range);
      }
      if (low < 0 || high < low) {
        throw reader.error(d.line(), d.text(), "wrong server-template number or range '" + range + "'",
            "a count such as 5, or a range such as 1-5");
      }
      address = w.get(3);
      cur = 4;
    } else {
      if (w.size() < 3) {
        throw reader.error(d.line(), d.text(), "'server' expects <name> and <addr>[:<port>] as arguments",
            "server <name> <address>[:<port>] [params]");
      }
      name = w.get(1);
      if (!ServerLine.validName(name, false)) {
        throw reader.error(d.line(), d.text(), "a character of '" + name + "' is not permitted in server name",
            "letters, digits, '.', ':', '_' and '-'");
      }
      address = w.get(2);
      cur = 3;
    }
    while (cur < w.size()) {
      String k = w.get(cur);
      Integer arity = ServerLine.ARITY.get(k);
      if (arity == null) {
        throw reader.error(d.line(), d.text(), "unknown keyword '" + k + "'",
            "a server keyword of HAProxy 2.6 (check, inter, fall, rise, weight, backup, ...)");
      }
      if (isDefault && ServerLine.NOT_IN_DEFAULT.contains(k)) {
        throw reader.error(d.line(), d.text(), "'" + k + "' option is not accepted in default-server sections", "");
      }
      if (arity == -1) {
        cur = source(reader, d, w, cur);
        continue;
      }
      String arg = arity == 1 ? (cur + 1 < w.size() ? w.get(cur + 1) : "") : null;
      keyword(reader, d, params, k, arg, p);
      cur += 1 + arity;
    }
    if (!isDefault) {
      if (params.flag("check") && params.get("track") != null) {
        throw reader.error(d.line(), d.text(), "unable to enable checks and tracking at the same time", "");
      }
      ServerLine s = new ServerLine(name, address, d, params, low, high);
      for (String n : s.names()) {
        for (ServerLine other : p.servers) {
          if (other.names().contains(n)) {
            throw reader.error(d.line(), d.text(), p.title() + ": another server named '" + n
                + "' was already defined at line " + other.where.line(), "distinct server names");
          }
        }
      }
      p.servers.add(s);
    }
  }

  /** {@code source <addr>[:<port>] [usesrc <addr>|client|clientip] [interface <name>]}. */
  private static int source(ConfigReader reader, Directive d, List<String> w, int cur) {
    if (cur + 1 >= w.size()) {
      throw reader.error(d.line(), d.text(), "'source' expects <addr>[:<port>[-<port>]] as argument", "");
    }
    cur += 2;
    while (cur < w.size() && (w.get(cur).equals("usesrc") || w.get(cur).equals("interface"))) {
      if (cur + 1 >= w.size()) {
        throw reader.error(d.line(), d.text(), "'" + w.get(cur) + "' expects an argument", "");
      }
      cur += 2;
    }
    return cur;
  }

  private static void keyword(ConfigReader reader, Directive d, ServerLine.Params params, String k, String arg, Proxy p) {
    int line = d.line();
    switch (k) {
      case "check":
      case "backup":
      case "disabled":
      case "ssl":
      case "check-ssl":
      case "agent-check":
      case "send-proxy":
      case "send-proxy-v2":
      case "check-send-proxy":
        params.set(k, "1", line);
        break;
      case "no-check":
      case "no-backup":
      case "no-ssl":
      case "no-agent-check":
      case "no-send-proxy":
      case "no-send-proxy-v2":
      case "no-check-send-proxy":
        params.set(k.substring(3), "0", line);
        break;
      case "no-check-ssl":
        params.set("check-ssl", "-1", line);
        break;
      case "enabled":
        params.set("disabled", "0", line);
        break;
      case "usesrc":
        throw reader.error(line, d.text(), "'usesrc' only allowed after 'source'", "");
      case "weight": {
        long v = ServerLine.atol(arg);
        if (v < 0 || v > 256) {
          throw reader.error(line, d.text(), "weight " + v + " is not within 0 and 256", "weight 0-256");
        }
        warnAtol(reader, d, k, arg);
        params.set(k, Long.toString(v), line);
        break;
      }
      case "rise":
      case "fall":
      case "error-limit": {
        if (arg.isEmpty()) {
          throw reader.error(line, d.text(), "'" + k + "' expects an integer argument", k + " <count>");
        }
        long v = ServerLine.atol(arg);
        if (v <= 0) {
          throw reader.error(line, d.text(), "'" + k + "' has to be > 0", k + " <count above 0>");
        }
        warnAtol(reader, d, k, arg);
        params.set(k, Long.toString(v), line);
        break;
      }
      case "inter":
      case "fastinter":
      case "downinter":
      case "slowstart":
      case "agent-inter": {
        if (arg.isEmpty()) {
          throw reader.error(line, d.text(), "'" + k + "' expects a delay as argument", k + " <time>");
        }
        HaproxyTime.Result r = HaproxyTime.parse(arg);
        if (r.error() != null) {
          throw reader.error(line, d.text(), r.error() + " in '" + k + " " + arg + "'", "a time such as 200ms or 2s");
        }
        if (r.millis() <= 0 && !k.equals("slowstart")) {
          throw reader.error(line, d.text(), "invalid value 0 for argument '" + k + "'", "a time above 0");
        }
        if (r.warning() != null) {
          reader.warn(line, r.warning());
        }
        params.set(k, Long.toString(r.millis()), line);
        break;
      }
      case "port": {
        if (arg.isEmpty()) {
          throw reader.error(line, d.text(), "'port' expects a port number as argument", "port <1-65535>");
        }
        warnAtol(reader, d, k, arg);
        params.set(k, Long.toString(ServerLine.atol(arg)), line);
        break;
      }
      case "on-marked-down":
        if (!"shutdown-sessions".equals(arg)) {
          throw reader.error(line, d.text(), "'on-marked-down' expects 'shutdown-sessions' but got '" + arg + "'",
              "shutdown-sessions");
        }
        params.set(k, arg, line);
        break;
      case "on-marked-up":
        if (!"shutdown-backup-sessions".equals(arg)) {
          throw reader.error(line, d.text(), "'on-marked-up' expects 'shutdown-backup-sessions' but got '" + arg + "'",
              "shutdown-backup-sessions");
        }
        params.set(k, arg, line);
        break;
      case "observe":
        if (!arg.equals("none") && !arg.equals("layer4") && !arg.equals("layer7")) {
          throw reader.error(line, d.text(), "'observe' expects one of 'none', 'layer4', 'layer7' but got '" + arg + "'",
              "none, layer4 or layer7");
        }
        if (arg.equals("layer7") && !p.http()) {
          throw reader.error(line, d.text(), "'layer7' can only be used in http proxies", "layer4");
        }
        params.set(k, arg, line);
        break;
      case "addr":
      case "track":
      case "init-addr":
      case "resolvers":
      case "resolve-prefer":
      case "agent-port":
      case "maxconn":
        if (arg.isEmpty()) {
          throw reader.error(line, d.text(), "'" + k + "' expects an argument", "");
        }
        params.set(k, arg, line);
        break;
      default:
        if (arg != null && arg.isEmpty()) {
          throw reader.error(line, d.text(), "'" + k + "' expects an argument", "");
        }
        break;
    }
  }

  private static void warnAtol(ConfigReader reader, Directive d, String k, String arg) {
    if (!ServerLine.atolWhole(arg)) {
      reader.warn(d.line(), "'" + k + " " + arg + "': HAProxy reads it as " + ServerLine.atol(arg)
          + " (it stops at the first character that is not a digit)");
    }
  }
}
