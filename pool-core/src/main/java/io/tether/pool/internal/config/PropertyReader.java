package io.tether.pool.internal.config;

import io.tether.pool.ConfigException;
import io.tether.pool.Endpoint;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.TreeSet;

/**
 * Reads {@code tether.pool.*} properties into a {@link Sink}: every key checked against its declaration,
 * servers ({@code server.<name>}) and check headers ({@code check.http-header.<name>}) as families, and
 * anything that looks meant for Tether but is not a key (a mistyped prefix, wrong case, a key without
 * the {@code pool.} part) reported with the key it was probably meant to be.
 */
public final class PropertyReader {
  /** Family prefix of servers: {@code tether.pool.server.<name>=<host>:<port> [weight <n>] ...}. */
  public static final String SERVER_PREFIX = "server.";

  /** Family prefix of check headers: {@code tether.pool.check.http-header.<name>=<value>}. */
  public static final String HEADER_PREFIX = "check.http-header.";

  /** Where values go. */
  public interface Sink {
    /** A key's value, already parsed and in range. */
    <T> void set(Key<T> key, T value);

    /** A server. */
    void server(Endpoint endpoint);

    /** A check header. */
    void header(String name, String value);
  }

  private PropertyReader() {}

  /** Reads every Tether entry of {@code props}, naming {@code source} (may be null) in errors. */
  public static void read(Properties props, String source, Sink sink) {
    try {
      for (String full : new TreeSet<>(props.stringPropertyNames())) {
        entry(full, props.getProperty(full), sink);
      }
    } catch (ConfigException e) {
      throw source == null ? e : e.in(source);
    }
  }

  private static void entry(String full, String value, Sink sink) {
    if (!full.startsWith(Keys.PREFIX)) {
      String meant = meantForTether(full);
      if (meant != null) {
        throw new ConfigException(full, value, "a known key; " + meant);
      }
      return;
    }
    String name = full.substring(Keys.PREFIX.length());
    if (name.startsWith(SERVER_PREFIX)) {
      sink.server(server(full, name.substring(SERVER_PREFIX.length()), value));
      return;
    }
    if (name.startsWith(HEADER_PREFIX)) {
      sink.header(name.substring(HEADER_PREFIX.length()), value);
      return;
    }
    Key<?> key = Keys.find(name);
    if (key == null) {
      throw new ConfigException(full, value, "a known key; " + suggestion(name));
    }
    apply(key, value, sink);
  }

  private static <T> void apply(Key<T> key, String raw, Sink sink) {
    sink.set(key, key.parse(raw));
  }

  /**
   * A key that is not under {@code tether.pool.} but was surely meant to be: {@code Tether.pool.x},
   * {@code tether.pools.x}, {@code tether.pool-x}, {@code tether.max-connections}. Returns the advice, or
   * null for keys that belong to someone else.
   */
  static String meantForTether(String full) {
    String lower = full.toLowerCase(Locale.ROOT);
    if (!lower.startsWith("tether")) {
      return null;
    }
    String rest = lower.substring("tether".length());
    if (rest.isEmpty() || (rest.charAt(0) != '.' && rest.charAt(0) != '-' && rest.charAt(0) != '_')) {
      return null;
    }
    rest = rest.substring(1);
    int cut = -1;
    for (String p : new String[] {"pools", "pool"}) {
      if (rest.startsWith(p) && rest.length() > p.length() && ".-_".indexOf(rest.charAt(p.length())) >= 0) {
        cut = p.length() + 1;
        break;
      }
    }
    if (cut > 0) {
      return "the prefix is " + Keys.PREFIX + ", lower case; " + suggestion(rest.substring(cut));
    }
    if (nearest(rest) != null) {
      return "the prefix is " + Keys.PREFIX + "; " + suggestion(rest);
    }
    return null;
  }

  private static String nearest(String name) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    List<String> candidates = new ArrayList<>();
    Keys.all().forEach(k -> candidates.add(k.name()));
    for (String c : candidates) {
      int d = editDistance(name.toLowerCase(Locale.ROOT), c);
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    if (name.toLowerCase(Locale.ROOT).startsWith(SERVER_PREFIX)) {
      return SERVER_PREFIX + name.substring(SERVER_PREFIX.length());
    }
    return best != null && bestDistance <= Math.max(2, name.length() / 4) ? best : null;
  }

  /** "did you mean tether.pool.evict-after?" for the known key nearest to {@code name}. */
  public static String suggestion(String name) {
    String best = nearest(name);
    return best != null ? "did you mean " + Keys.PREFIX + best + "?" : "known keys are listed in docs/properties.md";
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

  /**
   * Loads a properties file (UTF-8, as {@link Properties#load(Reader)} reads it), refusing a key given
   * twice: the second would silently win.
   */
  public static Properties load(Path file) {
    Properties p = new Properties() {
      private static final long serialVersionUID = 1L;

      @Override
      public synchronized Object put(Object key, Object value) {
        Object before = super.put(key, value);
        if (before != null) {
          throw new ConfigException(String.valueOf(key), String.valueOf(value),
              "each key once; it was already given as '" + before + "'").in(file.toString());
        }
        return null;
      }
    };
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    Properties plain = new Properties();
    plain.putAll(p);
    return plain;
  }

  private static final String SERVER_SYNTAX =
      "<host>:<port> [weight <0-256>] [backup | priority <0-1000>] [disabled] [no-check] [addr <host>] [port <port>],"
          + " e.g. 127.0.0.29:8080 weight 10";

  /** Parses a server's value, the tail of an HAProxy {@code server} line. */
  public static Endpoint server(String fullKey, String name, String value) {
    if (!Syntax.name(name, 128)) {
      throw new ConfigException(fullKey, value, "a server name of 1-128 characters from A-Z a-z 0-9 . _ -");
    }
    String[] words = Syntax.trim(value).split("[ \t]+");
    InetSocketAddress addr = Addresses.hostPort(words[0]);
    if (addr == null) {
      throw new ConfigException(fullKey, value, SERVER_SYNTAX);
    }
    Endpoint e = Endpoint.of(name, addr);
    String checkHost = null;
    Integer checkPort = null;
    for (int i = 1; i < words.length; i++) {
      String w = words[i];
      switch (w) {
        case "weight": {
          Long n = i + 1 < words.length ? Syntax.integer(words[++i]) : null;
          if (n == null || n > Endpoint.MAX_WEIGHT) {
            throw new ConfigException(fullKey, value, "weight 0-256 in " + SERVER_SYNTAX);
          }
          e = e.withWeight(n.intValue());
          break;
        }
        case "backup":
          e = e.withPriority(1);
          break;
        case "priority": {
          Long n = i + 1 < words.length ? Syntax.integer(words[++i]) : null;
          if (n == null || n > 1000) {
            throw new ConfigException(fullKey, value, "priority 0-1000 in " + SERVER_SYNTAX);
          }
          e = e.withPriority(n.intValue());
          break;
        }
        case "disabled":
          e = e.withDisabled(true);
          break;
        case "no-check":
          e = e.withChecked(false);
          break;
        case "addr":
          checkHost = i + 1 < words.length ? words[++i] : "";
          if (!Addresses.hostName(checkHost) && !Addresses.ipv4(checkHost)
              && !(checkHost.startsWith("[") && checkHost.endsWith("]")
                  && Addresses.ipv6(checkHost.substring(1, checkHost.length() - 1)))) {
            throw new ConfigException(fullKey, value, "addr <host> in " + SERVER_SYNTAX);
          }
          break;
        case "port":
          checkPort = i + 1 < words.length ? Addresses.port(words[++i]) : null;
          if (checkPort == null) {
            throw new ConfigException(fullKey, value, "port 1-65535 in " + SERVER_SYNTAX);
          }
          break;
        default:
          throw new ConfigException(fullKey, value, SERVER_SYNTAX + " ('" + w + "' is none of these)");
      }
    }
    if (checkHost != null || checkPort != null) {
      String h = checkHost != null ? checkHost.replace("[", "").replace("]", "") : addr.getHostString();
      e = e.withCheckAddress(InetSocketAddress.createUnresolved(h, checkPort != null ? checkPort : addr.getPort()));
    }
    return e;
  }

  /** Writes a server back in the syntax {@link #server} reads. */
  public static String formatServer(Endpoint e) {
    if (!(e.socketAddress() instanceof InetSocketAddress)) {
      throw new UnsupportedOperationException("server " + e.name() + " at " + e.address()
          + " has no properties form: only host:port servers can be written as tether.pool.server.<name>");
    }
    StringBuilder sb = new StringBuilder(e.address());
    if (e.weight() != 1) {
      sb.append(" weight ").append(e.weight());
    }
    if (e.priority() == 1) {
      sb.append(" backup");
    } else if (e.priority() > 1) {
      sb.append(" priority ").append(e.priority());
    }
    if (e.disabled()) {
      sb.append(" disabled");
    }
    if (!e.checked()) {
      sb.append(" no-check");
    }
    if (e.checkAddress() != e.socketAddress() && e.checkAddress() instanceof InetSocketAddress c) {
      String h = c.getHostString();
      sb.append(" addr ").append(h.indexOf(':') >= 0 ? "[" + h + "]" : h).append(" port ").append(c.getPort());
    }
    return sb.toString();
  }
}
