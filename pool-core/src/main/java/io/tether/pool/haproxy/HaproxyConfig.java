package io.tether.pool.haproxy;

import io.tether.pool.Balance;
import io.tether.pool.DurationSyntax;
import io.tether.pool.Endpoint;
import io.tether.pool.OnMarkedDown;
import io.tether.pool.PoolConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A {@code haproxy.cfg} read the way HAProxy reads it, as the source of truth for the timeouts a client
 * (or a server) behind it will meet, and for a backend's servers and checks.
 *
 * <p>What it understands: sections ({@code global}, {@code defaults [name]}, {@code frontend}, {@code
 * backend}, {@code listen}, and others it skips); comments, quotes and {@code ${VAR}} expansion; each
 * proxy inheriting from the last {@code defaults} section before it, or the one named by {@code from};
 * {@code mode}, {@code timeout ...} with HAProxy's units (bare numbers are milliseconds), {@code server}
 * and {@code default-server} lines with {@code weight check inter fastinter downinter fall rise
 * on-marked-down}, {@code balance}, {@code option redispatch}, {@code retries}. Instances are immutable.
 */
public final class HaproxyConfig {

  /** What kind of section. */
  public enum Kind {
    /** The {@code global} section. */
    GLOBAL,
    /** A {@code defaults} section. */
    DEFAULTS,
    /** A {@code frontend}. */
    FRONTEND,
    /** A {@code backend}. */
    BACKEND,
    /** A {@code listen} section: frontend and backend in one. */
    LISTEN,
    /** Any other section ({@code peers}, {@code resolvers}...). */
    OTHER
  }

  /** One directive: its words, and the line it was on. */
  public record Directive(List<String> words, int line) {
    /** {@return the directive's first word, e.g. {@code timeout}} */
    public String keyword() {
      return words.get(0);
    }

    /**
     * {@return the argument at {@code i} after the keyword, or null}
     *
     * @param i index from 0
     */
    public String arg(int i) {
      return i < words.size() ? words.get(i) : null;
    }
  }

  /** A section and what it inherits. */
  public static final class Section {
    private final Kind kind;
    private final String name;
    private final int line;
    private final String from;
    private final List<Directive> directives = new ArrayList<>();
    private Section defaults;

    Section(Kind kind, String name, int line, String from) {
      this.kind = kind;
      this.name = name;
      this.line = line;
      this.from = from;
    }

    /** {@return the section type} */
    public Kind kind() {
      return kind;
    }

    /** {@return the section's name, or null for an unnamed {@code defaults} or {@code global}} */
    public String name() {
      return name;
    }

    /** {@return the line its header is on} */
    public int line() {
      return line;
    }

    /** {@return the {@code defaults} section it inherits from, or null} */
    public Section defaults() {
      return defaults;
    }

    /** {@return the section's own directives, in file order} */
    public List<Directive> directives() {
      return Collections.unmodifiableList(directives);
    }

    /** {@return {@code "listen api"}, {@code "defaults"}, as messages name it} */
    public String title() {
      return kind.name().toLowerCase(Locale.ROOT) + (name == null ? "" : " " + name);
    }

    /** The last directive whose leading words are {@code words}, here or inherited; null if none. */
    Directive find(String... words) {
      for (Section s = this; s != null; s = s.defaults) {
        for (int i = s.directives.size() - 1; i >= 0; i--) {
          Directive d = s.directives.get(i);
          if (startsWith(d, words)) {
            return d;
          }
        }
      }
      return null;
    }

    private static boolean startsWith(Directive d, String... words) {
      if (d.words.size() < words.length) {
        return false;
      }
      for (int i = 0; i < words.length; i++) {
        if (!d.words.get(i).equals(words[i])) {
          return false;
        }
      }
      return true;
    }
  }

  private final String file;
  private final List<Section> sections;
  private final Map<String, Section> proxies = new LinkedHashMap<>();

  private HaproxyConfig(String file, List<Section> sections) {
    this.file = file;
    this.sections = sections;
    for (Section s : sections) {
      if (s.kind == Kind.FRONTEND || s.kind == Kind.BACKEND || s.kind == Kind.LISTEN) {
        proxies.put(s.name, s);
      }
    }
  }

  /**
   * Reads and parses {@code file}.
   *
   * @param file the file name to name in errors
    * @return the parsed configuration
   */
  public static HaproxyConfig parse(Path file) {
    try {
      return parse(Files.readString(file), file.toString(), System::getenv);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * Parses {@code text}, naming it {@code file} in errors; {@code env} resolves {@code ${VAR}}.
   *
   * @param text the configuration text
   * @param file the file name to name in errors
   * @param env resolves environment variables; may return null
    * @return the parsed configuration
   */
  public static HaproxyConfig parse(String text, String file, Function<String, String> env) {
    List<Section> sections = new ArrayList<>();
    Map<String, Section> namedDefaults = new LinkedHashMap<>();
    Section current = null;
    Section lastDefaults = null;
    String[] lines = text.split("\r?\n", -1);
    for (int n = 1; n <= lines.length; n++) {
      List<String> words = Lexer.words(lines[n - 1], file, n, env);
      if (words.isEmpty()) {
        continue;
      }
      Kind kind = headerKind(words.get(0));
      if (kind != null) {
        String name = words.size() > 1 && !words.get(1).equals("from") ? words.get(1) : null;
        int fromAt = words.indexOf("from");
        String from = fromAt > 0 && fromAt + 1 < words.size() ? words.get(fromAt + 1) : null;
        if ((kind == Kind.FRONTEND || kind == Kind.BACKEND || kind == Kind.LISTEN) && name == null) {
          throw new HaproxyConfigException(file, n, words.get(0) + " needs a name");
        }
        current = new Section(kind, name, n, from);
        if (kind != Kind.GLOBAL && kind != Kind.OTHER) {
          if (from != null) {
            current.defaults = namedDefaults.get(from);
            if (current.defaults == null) {
              throw new HaproxyConfigException(file, n, current.title() + ": no defaults section named '" + from
                  + "' before it (named defaults: " + namedDefaults.keySet() + ")");
            }
          } else if (kind != Kind.DEFAULTS) {
            current.defaults = lastDefaults;
          }
        }
        if (kind == Kind.DEFAULTS) {
          lastDefaults = current;
          if (name != null) {
            namedDefaults.put(name, current);
          }
        }
        sections.add(current);
        continue;
      }
      if (current == null) {
        throw new HaproxyConfigException(file, n, "'" + words.get(0) + "' outside any section");
      }
      current.directives.add(new Directive(List.copyOf(words), n));
    }
    HaproxyConfig cfg = new HaproxyConfig(file, List.copyOf(sections));
    cfg.validateTimeouts();
    return cfg;
  }

  private static Kind headerKind(String word) {
    switch (word) {
      case "global":
        return Kind.GLOBAL;
      case "defaults":
        return Kind.DEFAULTS;
      case "frontend":
        return Kind.FRONTEND;
      case "backend":
        return Kind.BACKEND;
      case "listen":
        return Kind.LISTEN;
      case "peers":
      case "resolvers":
      case "userlist":
      case "mailers":
      case "program":
      case "http-errors":
      case "ring":
      case "cache":
      case "fcgi-app":
      case "crt-store":
      case "traces":
        return Kind.OTHER;
      default:
        return null;
    }
  }

  /** Every timeout anywhere must parse, so a typo is caught on load, not on first use. */
  private void validateTimeouts() {
    for (Section s : sections) {
      for (Directive d : s.directives) {
        if (d.keyword().equals("timeout")) {
          if (d.arg(2) == null) {
            throw new HaproxyConfigException(file, d.line, s.title() + ": '" + String.join(" ", d.words)
                + "' has no value");
          }
          duration(s, d, d.arg(2));
        }
      }
    }
  }

  private Duration duration(Section s, Directive d, String value) {
    Duration v = DurationSyntax.parseOrNull(value);
    if (v == null) {
      throw new HaproxyConfigException(file, d.line, s.title() + ": '" + String.join(" ", d.words)
          + "': expected " + DurationSyntax.EXPECTED);
    }
    return v;
  }

  /** {@return the file's name as given} */
  public String file() {
    return file;
  }

  /** {@return every section, in file order} */
  public List<Section> sections() {
    return sections;
  }

  /**
   * {@return the frontend, backend or listen section {@code name}}
   *
   * @param name the section name
   */
  public Section proxy(String name) {
    Section s = proxies.get(name);
    if (s == null) {
      throw new HaproxyConfigException(file, 0, "no frontend, backend or listen section named '" + name
          + "' (found: " + (proxies.isEmpty() ? "none" : String.join(", ", titles())) + ")");
    }
    return s;
  }

  private List<String> titles() {
    List<String> out = new ArrayList<>();
    proxies.values().forEach(s -> out.add(s.title()));
    return out;
  }

  /**
   * {@return {@code mode} of a section, own or inherited; HAProxy's default is tcp}
   *
   * @param section the name of a frontend, backend or listen section
   */
  public String mode(String section) {
    Directive d = proxy(section).find("mode");
    return d == null ? "tcp" : d.arg(1);
  }

  /**
   * {@return {@code timeout <which>} of a section, own or inherited, or null}
   *
   * @param section the name of a frontend, backend or listen section
   * @param which the timeout's name, e.g. {@code client}
   */
  public Duration timeout(String section, String which) {
    Section s = proxy(section);
    Directive d = s.find("timeout", which);
    return d == null ? null : duration(s, d, d.arg(2));
  }

  /**
   * The idle timeout a peer of {@code section} meets, by HAProxy's precedence:
   *
   * <ul>
   *   <li>frontend or listen, {@code mode http}: the client waiting between requests meets {@code
   *       timeout http-keep-alive}, else {@code timeout http-request}, else {@code timeout client};
   *   <li>frontend or listen, {@code mode tcp}: {@code timeout tunnel} (which supersedes the others
   *       once the connection is a tunnel), else {@code timeout client};
   *   <li>backend: the idle timeout the servers meet from HAProxy, {@code timeout tunnel} in tcp mode,
   *       else {@code timeout server} (for a server-side {@code IdleCloser}).
   * </ul>
   *
   * @param section the name of a frontend, backend or listen section
   * @return the idle timeout a client of {@code section} meets
   * @throws HaproxyConfigException naming file, line and section if none is set
   */
  public Duration idleTimeout(String section) {
    Section s = proxy(section);
    String mode = mode(section);
    List<String> order;
    if (s.kind == Kind.BACKEND) {
      order = mode.equals("http") ? List.of("server") : List.of("tunnel", "server");
    } else {
      order = mode.equals("http") ? List.of("http-keep-alive", "http-request", "client") : List.of("tunnel", "client");
    }
    for (String which : order) {
      Duration d = timeout(section, which);
      if (d != null) {
        return d;
      }
    }
    String inherited = s.defaults == null ? "" : ", nor does " + s.defaults.title() + " (line " + s.defaults.line + ")";
    List<String> names = new ArrayList<>();
    order.forEach(o -> names.add("timeout " + o));
    throw new HaproxyConfigException(file, s.line, s.title() + " (mode " + mode + ") sets no "
        + String.join(", ", names) + inherited);
  }

  /**
   * The servers of a backend or listen section, with their weights (and names as in the file). {@code
   * default-server} lines apply; {@code disabled} servers are left out.
   *
   * @param section the name of a frontend, backend or listen section
   * @return the section's servers, in file order
   */
  public List<Endpoint> servers(String section) {
    Section s = proxy(section);
    List<Endpoint> out = new ArrayList<>();
    for (Directive d : s.directives) {
      if (!d.keyword().equals("server") || d.words.size() < 3) {
        continue;
      }
      Map<String, String> p = serverParams(s, d);
      if (p.containsKey("disabled")) {
        continue;
      }
      String addr = d.arg(2);
      int colon = addr.lastIndexOf(':');
      if (colon <= 0) {
        throw new HaproxyConfigException(file, d.line, s.title() + ": server " + d.arg(1) + " " + addr
            + " has no port (Tether connects to host:port)");
      }
      try {
        int port = Integer.parseInt(addr.substring(colon + 1));
        int weight = p.containsKey("weight") ? Integer.parseInt(p.get("weight")) : 1;
        out.add(new Endpoint(d.arg(1), addr.substring(0, colon), port, Math.max(1, weight)));
      } catch (IllegalArgumentException e) {
        throw new HaproxyConfigException(file, d.line, s.title() + ": server " + d.arg(1) + ": " + e.getMessage());
      }
    }
    return out;
  }

  /** A server's parameters: {@code default-server} lines of the section (and its defaults), then its own. */
  private Map<String, String> serverParams(Section s, Directive server) {
    Map<String, String> p = new LinkedHashMap<>();
    List<Section> chain = new ArrayList<>();
    for (Section x = s; x != null; x = x.defaults) {
      chain.add(0, x);
    }
    for (Section x : chain) {
      for (Directive d : x.directives) {
        if (d.keyword().equals("default-server") && (x != s || d.line < server.line)) {
          params(d.words, 1, p);
        }
      }
    }
    params(server.words, 3, p);
    return p;
  }

  private static final List<String> FLAGS = List.of("check", "disabled", "backup", "ssl", "send-proxy");

  private static void params(List<String> words, int from, Map<String, String> into) {
    for (int i = from; i < words.size(); i++) {
      String w = words.get(i);
      if (FLAGS.contains(w) || w.startsWith("no-") || i + 1 >= words.size()) {
        into.put(w, "");
      } else {
        into.put(w, words.get(++i));
      }
    }
  }

  /**
   * Sets {@code builder}'s servers, health checks, {@code on-marked-down}, balance, redispatch and
   * retries from backend or listen {@code section}: for a client that talks to these servers itself.
   * Check timing comes from the first checked server's {@code inter fastinter downinter fall rise} and
   * the section's {@code timeout check}.
   *
   * @param builder the builder to set servers and settings on
   * @param section the name of a frontend, backend or listen section
   * @return {@code builder}
   */
  public PoolConfig.Builder applyBackend(PoolConfig.Builder builder, String section) {
    Section s = proxy(section);
    List<Endpoint> servers = servers(section);
    if (servers.isEmpty()) {
      throw new HaproxyConfigException(file, s.line, s.title() + " has no server line");
    }
    builder.servers(servers);
    for (Directive d : s.directives) {
      if (d.keyword().equals("server") && d.words.size() >= 3) {
        Map<String, String> p = serverParams(s, d);
        if (p.containsKey("check")) {
          builder.check(true);
          setDuration(s, d, p.get("inter"), builder::checkInter);
          setDuration(s, d, p.get("fastinter"), builder::checkFastinter);
          setDuration(s, d, p.get("downinter"), builder::checkDowninter);
          if (p.get("fall") != null) {
            builder.checkFall(Integer.parseInt(p.get("fall")));
          }
          if (p.get("rise") != null) {
            builder.checkRise(Integer.parseInt(p.get("rise")));
          }
          String omd = p.get("on-marked-down");
          if (omd != null) {
            OnMarkedDown o = OnMarkedDown.of(omd);
            if (o == null) {
              throw new HaproxyConfigException(file, d.line, s.title() + ": on-marked-down " + omd
                  + " (Tether knows shutdown-sessions, drain, none)");
            }
            builder.onMarkedDown(o);
          } else {
            builder.onMarkedDown(OnMarkedDown.NONE); // HAProxy's default: leave sessions alone
          }
          break;
        }
      }
    }
    Duration checkTimeout = timeout(section, "check");
    if (checkTimeout != null) {
      builder.checkTimeout(checkTimeout);
    }
    Directive balance = s.find("balance");
    if (balance != null) {
      if (balance.arg(1).equals("leastconn")) {
        builder.balance(Balance.LEASTCONN);
      } else if (balance.arg(1).equals("roundrobin") || balance.arg(1).equals("static-rr")) {
        builder.balance(Balance.ROUNDROBIN);
      }
    }
    builder.redispatch(s.find("option", "redispatch") != null && s.find("no", "option", "redispatch") == null);
    Directive retries = s.find("retries");
    if (retries != null) {
      builder.retries(Math.min(10, Integer.parseInt(retries.arg(1))));
    }
    return builder;
  }

  private void setDuration(Section s, Directive d, String v, java.util.function.Consumer<Duration> set) {
    if (v != null) {
      set.accept(duration(s, d, v));
    }
  }
}
