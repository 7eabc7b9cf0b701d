package io.tether.pool.internal.config;

import io.tether.pool.Balance;
import io.tether.pool.ConfigException;
import io.tether.pool.DurationSyntax;
import io.tether.pool.Endpoint;
import io.tether.pool.HealthCheck;
import io.tether.pool.OnMarkedDown;
import io.tether.pool.PoolConfig;
import io.tether.pool.ReuseOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The single list of {@code tether.pool.*} keys: how each maps onto the builder, how it is written back,
 * and what the documentation says of it. {@code docs/properties.md} is checked against this list.
 */
public final class PropertyTable {

  /** One key: its name after the prefix, its type and default as documented, and its binding. */
  public record Key(
      String name,
      String type,
      String defaultValue,
      String meaning,
      BiConsumer<PoolConfig.Builder, String> apply,
      Function<PoolConfig, String> read) {

    /** The full key, {@code tether.pool.<name>}. */
    public String fullName() {
      return PoolConfig.PREFIX + name;
    }
  }

  /** Servers are a family of keys: {@code tether.pool.server.<name>=<host>:<port> [weight <n>]}. */
  public static final String SERVER_PREFIX = "server.";

  private static final List<Key> KEYS = new ArrayList<>();

  static {
    key("name", "string", "tether", "Pool name used in metrics tags, logs and exceptions.",
        PoolConfig.Builder::name, PoolConfig::name);
    key("max-connections", "int 1-65536", "64",
        "Limit on open plus connecting connections across all servers.",
        (b, v) -> b.maxConnections(integer("max-connections", v)), c -> Integer.toString(c.maxConnections()));
    key("max-connections-per-server", "int 1-65536", "max-connections",
        "Limit on open plus connecting connections to one server.",
        (b, v) -> b.maxConnectionsPerServer(integer("max-connections-per-server", v)),
        c -> Integer.toString(c.maxConnectionsPerServer()));
    key("max-pending-acquires", "int 0-1000000", "1000",
        "Acquires allowed to wait for a connection; beyond it an acquire is rejected at once.",
        (b, v) -> b.maxPendingAcquires(integer("max-pending-acquires", v)),
        c -> Integer.toString(c.maxPendingAcquires()));
    key("acquire-timeout", "duration 1ms-1d", "10s",
        "How long an acquire may wait for a connection, connect included.",
        (b, v) -> b.acquireTimeout(DurationSyntax.parse(full("acquire-timeout"), v)),
        c -> DurationSyntax.format(c.acquireTimeout()));
    key("connect-timeout", "duration 1ms-10m", "5s", "Limit on opening one connection.",
        (b, v) -> b.connectTimeout(DurationSyntax.parse(full("connect-timeout"), v)),
        c -> DurationSyntax.format(c.connectTimeout()));
    key("reuse-order", "lifo | fifo", "lifo",
        "lifo reuses the most recently used idle connection (few warm connections); fifo the least.",
        (b, v) -> b.reuseOrder(reuseOrder(v)), c -> c.reuseOrder().name().toLowerCase(Locale.ROOT));
    key("balance", "leastconn | roundrobin", "leastconn",
        "How a new connection picks its server: fewest connections per weight, or weighted turns.",
        (b, v) -> b.balance(balance(v)), c -> c.balance().name().toLowerCase(Locale.ROOT));
    key("lb-idle-timeout", "duration 10ms-24d", "50s",
        "The load balancer's idle timeout (timeout http-keep-alive / client / server); the pool evicts before it.",
        (b, v) -> b.lbIdleTimeout(DurationSyntax.parse(full("lb-idle-timeout"), v)),
        c -> DurationSyntax.format(c.lbIdleTimeout()));
    key("evict-ratio", "ratio (0,1)", "0.9",
        "evict-after as a fraction of lb-idle-timeout when evict-after is not given (10m -> 9m).",
        (b, v) -> b.evictRatio(ratio("evict-ratio", v)), c -> Double.toString(c.evictRatio()));
    key("evict-after", "duration 10ms-24d", "evict-ratio x lb-idle-timeout",
        "Idle time (since the last byte in or out) after which a connection is closed; below lb-idle-timeout.",
        (b, v) -> b.evictAfter(DurationSyntax.parse(full("evict-after"), v)),
        c -> DurationSyntax.format(c.evictAfter()));
    key("jitter", "ratio 0-0.5", "0.05",
        "Largest random fraction by which each connection's idle deadline and lifetime are moved earlier (never later).",
        (b, v) -> b.jitter(ratio("jitter", v)), c -> Double.toString(c.jitter()));
    key("max-lifetime", "duration 0 or 1s-24d", "0 (unlimited)",
        "Maximum connection age, jittered like the idle deadline; moves long connections to other servers after a deploy.",
        (b, v) -> b.maxLifetime(DurationSyntax.parse(full("max-lifetime"), v)),
        c -> DurationSyntax.format(c.maxLifetime()));
    key("handout-margin", "duration 0-1m", "min(500ms, 5% of evict-after)",
        "A connection this close to its idle deadline is evicted instead of handed out.",
        (b, v) -> b.handoutMargin(DurationSyntax.parse(full("handout-margin"), v)),
        c -> DurationSyntax.format(c.handoutMargin()));
    key("response-timeout", "duration 0 or 1ms-1h", "0 (off)",
        "Time a leased connection may wait for the first response byte after a write before it is closed as broken.",
        (b, v) -> b.responseTimeout(DurationSyntax.parse(full("response-timeout"), v)),
        c -> DurationSyntax.format(c.responseTimeout()));
    key("leak-detection-threshold", "duration 0 or 100ms-1d", "0 (off)",
        "A lease held longer is reported once, with the acquiring stack (WARN log and tether.pool.leaks).",
        (b, v) -> b.leakDetectionThreshold(DurationSyntax.parse(full("leak-detection-threshold"), v)),
        c -> DurationSyntax.format(c.leakDetectionThreshold()));
    key("check", "boolean", "false", "Active health checks of every server (HAProxy's `check`).",
        (b, v) -> b.check(bool("check", v)), c -> Boolean.toString(c.healthCheck().enabled()));
    key("check.inter", "duration 10ms-1h", "2s", "Interval between checks of a server that is up.",
        (b, v) -> b.checkInter(DurationSyntax.parse(full("check.inter"), v)),
        c -> DurationSyntax.format(c.healthCheck().inter()));
    key("check.fastinter", "duration 10ms-1h", "check.inter",
        "Interval while a server changes state (up with failures, down with successes).",
        (b, v) -> b.checkFastinter(DurationSyntax.parse(full("check.fastinter"), v)),
        c -> DurationSyntax.format(c.healthCheck().fastinter()));
    key("check.downinter", "duration 10ms-1h", "check.inter", "Interval while a server is down.",
        (b, v) -> b.checkDowninter(DurationSyntax.parse(full("check.downinter"), v)),
        c -> DurationSyntax.format(c.healthCheck().downinter()));
    key("check.fall", "int 1-100", "3", "Consecutive failed checks that mark a server down.",
        (b, v) -> b.checkFall(integer("check.fall", v)), c -> Integer.toString(c.healthCheck().fall()));
    key("check.rise", "int 1-100", "2", "Consecutive passed checks that mark a server up.",
        (b, v) -> b.checkRise(integer("check.rise", v)), c -> Integer.toString(c.healthCheck().rise()));
    key("check.timeout", "duration 1ms-1m", "check.inter",
        "How long one check may take (HAProxy's `timeout check`); detection takes at most about inter + timeout.",
        (b, v) -> b.checkTimeout(DurationSyntax.parse(full("check.timeout"), v)),
        c -> DurationSyntax.format(c.healthCheck().timeout()));
    key("check.type", "tcp | http", "tcp", "A TCP connect, or an HTTP request (needs the Netty adapter).",
        (b, v) -> b.checkType(checkType(v)), c -> c.healthCheck().type().name().toLowerCase(Locale.ROOT));
    key("check.http-method", "HTTP method", "GET", "Method of an HTTP check.",
        (b, v) -> b.checkHttpMethod(v), c -> c.healthCheck().httpMethod());
    key("check.http-path", "path", "/", "Path of an HTTP check.",
        (b, v) -> b.checkHttpPath(v), c -> c.healthCheck().httpPath());
    key("check.http-expect-status", "int 100-599", "200", "Status an HTTP check expects.",
        (b, v) -> b.checkHttpExpectStatus(integer("check.http-expect-status", v)),
        c -> Integer.toString(c.healthCheck().httpExpectStatus()));
    key("on-marked-down", "shutdown-sessions | drain | none", "shutdown-sessions",
        "What marking a server down does to its connections: close them all now, close each when released, or nothing.",
        (b, v) -> b.onMarkedDown(onMarkedDown(v)), c -> c.onMarkedDown().id());
    key("observe", "layer4 | none", "layer4",
        "Count connect failures and resets of leased connections against a server (needs check).",
        (b, v) -> b.observe(observe(v)), c -> c.observe() ? "layer4" : "none");
    key("error-limit", "int 1-1000", "10", "Consecutive observed errors that mark a server down.",
        (b, v) -> b.errorLimit(integer("error-limit", v)), c -> Integer.toString(c.errorLimit()));
    key("redispatch", "boolean", "true", "Retry a failed connect on another server (HAProxy's `option redispatch`).",
        (b, v) -> b.redispatch(bool("redispatch", v)), c -> Boolean.toString(c.redispatch()));
    key("retries", "int 0-10", "2", "Connect attempts after the first that one acquire may make.",
        (b, v) -> b.retries(integer("retries", v)), c -> Integer.toString(c.retries()));
    key("affinity.max-keys", "int 1-10000000", "10000",
        "Most affinity keys remembered; beyond it the least recently used are forgotten.",
        (b, v) -> b.affinityMaxKeys(integer("affinity.max-keys", v)), c -> Integer.toString(c.affinityMaxKeys()));
    key("affinity.idle-timeout", "duration 1s-1d", "10m", "An affinity key unused this long is forgotten.",
        (b, v) -> b.affinityIdleTimeout(DurationSyntax.parse(full("affinity.idle-timeout"), v)),
        c -> DurationSyntax.format(c.affinityIdleTimeout()));
    key("close-timeout", "duration 0-10m", "5s",
        "How long closing the pool waits for leased connections before closing them anyway.",
        (b, v) -> b.closeTimeout(DurationSyntax.parse(full("close-timeout"), v)),
        c -> DurationSyntax.format(c.closeTimeout()));
  }

  private PropertyTable() {}

  private static void key(
      String name,
      String type,
      String dflt,
      String meaning,
      BiConsumer<PoolConfig.Builder, String> apply,
      Function<PoolConfig, String> read) {
    KEYS.add(new Key(name, type, dflt, meaning, apply, read));
  }

  /** Every scalar key, in documentation order (servers excluded; see {@link #SERVER_PREFIX}). */
  public static List<Key> keys() {
    return Collections.unmodifiableList(KEYS);
  }

  /** Applies {@code props}, naming {@code source} in any error. */
  public static void apply(PoolConfig.Builder builder, Properties props, String source) {
    try {
      apply(builder, props);
    } catch (ConfigException e) {
      throw e.in(source);
    }
  }

  /** Loads a properties file. */
  public static Properties read(java.nio.file.Path file) {
    Properties p = new Properties();
    try (java.io.Reader r = java.nio.file.Files.newBufferedReader(file)) {
      p.load(r);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + file, e);
    }
    return p;
  }

  /** Applies every {@code tether.pool.*} entry of {@code props} to {@code builder}. */
  public static void apply(PoolConfig.Builder builder, Properties props) {
    for (String full : new TreeSet<>(props.stringPropertyNames())) {
      if (!full.startsWith(PoolConfig.PREFIX)) {
        continue;
      }
      String value = props.getProperty(full);
      String name = full.substring(PoolConfig.PREFIX.length());
      if (name.startsWith(SERVER_PREFIX) && name.length() > SERVER_PREFIX.length()) {
        builder.server(server(full, name.substring(SERVER_PREFIX.length()), value));
        continue;
      }
      Key key = find(name);
      if (key == null) {
        throw new ConfigException(full, value, "a known key; " + suggestion(name));
      }
      key.apply().accept(builder, value.trim());
    }
  }

  /** Writes every setting of {@code config} as properties. */
  public static Properties write(PoolConfig config) {
    Properties p = new Properties();
    for (Key k : KEYS) {
      p.setProperty(k.fullName(), k.read().apply(config));
    }
    for (Endpoint e : config.servers()) {
      p.setProperty(
          PoolConfig.PREFIX + SERVER_PREFIX + e.name(),
          e.address() + (e.weight() != 1 ? " weight " + e.weight() : ""));
    }
    return p;
  }

  private static Key find(String name) {
    for (Key k : KEYS) {
      if (k.name().equals(name)) {
        return k;
      }
    }
    return null;
  }

  /** "did you mean tether.pool.evict-after?" for the known key nearest to {@code name}. */
  static String suggestion(String name) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    List<String> candidates = new ArrayList<>();
    KEYS.forEach(k -> candidates.add(k.name()));
    candidates.add(SERVER_PREFIX + "<name>");
    for (String c : candidates) {
      int d = editDistance(name.toLowerCase(Locale.ROOT), c);
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    if (best != null && bestDistance <= Math.max(3, name.length() / 3)) {
      return "did you mean " + PoolConfig.PREFIX + best + "?";
    }
    return "known keys are listed in docs/properties.md";
  }

  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static String full(String name) {
    return PoolConfig.PREFIX + name;
  }

  static int integer(String name, String v) {
    try {
      return Integer.parseInt(v.trim().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new ConfigException(full(name), v, "an integer");
    }
  }

  /** A fraction written {@code 0.05} or {@code 5%}. */
  static double ratio(String name, String v) {
    String s = v.trim();
    try {
      if (s.endsWith("%")) {
        return Double.parseDouble(s.substring(0, s.length() - 1).trim()) / 100.0;
      }
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new ConfigException(full(name), v, "a fraction such as 0.05 or 5%");
    }
  }

  private static ReuseOrder reuseOrder(String v) {
    switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "lifo":
        return ReuseOrder.LIFO;
      case "fifo":
        return ReuseOrder.FIFO;
      default:
        throw new ConfigException(full("reuse-order"), v, "lifo or fifo");
    }
  }

  static boolean bool(String name, String v) {
    switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true":
      case "on":
      case "yes":
        return true;
      case "false":
      case "off":
      case "no":
        return false;
      default:
        throw new ConfigException(full(name), v, "true or false");
    }
  }

  private static HealthCheck.Type checkType(String v) {
    switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "tcp":
        return HealthCheck.Type.TCP;
      case "http":
        return HealthCheck.Type.HTTP;
      default:
        throw new ConfigException(full("check.type"), v, "tcp or http");
    }
  }

  private static OnMarkedDown onMarkedDown(String v) {
    OnMarkedDown o = OnMarkedDown.of(v.trim().toLowerCase(Locale.ROOT));
    if (o == null) {
      throw new ConfigException(full("on-marked-down"), v, "shutdown-sessions, drain or none");
    }
    return o;
  }

  private static boolean observe(String v) {
    switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "layer4":
        return true;
      case "none":
        return false;
      default:
        throw new ConfigException(full("observe"), v, "layer4 or none");
    }
  }

  private static Balance balance(String v) {
    switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "leastconn":
        return Balance.LEASTCONN;
      case "roundrobin":
        return Balance.ROUNDROBIN;
      default:
        throw new ConfigException(full("balance"), v, "leastconn or roundrobin");
    }
  }

  /** Parses {@code <host>:<port> [weight <n>]}, the tail of an HAProxy {@code server} line. */
  static Endpoint server(String fullKey, String name, String value) {
    String expected = "<host>:<port> [weight <1-256>], e.g. 127.0.0.29:8080 weight 10";
    String[] parts = value.trim().split("\\s+");
    if (parts.length != 1 && parts.length != 3) {
      throw new ConfigException(fullKey, value, expected);
    }
    String addr = parts[0];
    int colon = addr.lastIndexOf(':');
    if (colon <= 0 || colon == addr.length() - 1) {
      throw new ConfigException(fullKey, value, expected);
    }
    String host = addr.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    int weight = 1;
    try {
      port = Integer.parseInt(addr.substring(colon + 1));
      if (parts.length == 3) {
        if (!parts[1].equals("weight")) {
          throw new ConfigException(fullKey, value, expected);
        }
        weight = Integer.parseInt(parts[2]);
      }
    } catch (NumberFormatException e) {
      throw new ConfigException(fullKey, value, expected);
    }
    try {
      return new Endpoint(name, host, port, weight);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(fullKey, value, expected + "; " + e.getMessage());
    }
  }
}
