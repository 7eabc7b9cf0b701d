package io.tether.pool.internal.config;

import io.tether.pool.Balance;
import io.tether.pool.HealthCheck;
import io.tether.pool.IdleInput;
import io.tether.pool.OnAcquireTimeout;
import io.tether.pool.OnMarkedDown;
import io.tether.pool.OnMarkedUp;
import io.tether.pool.ReuseOrder;
import io.tether.pool.internal.config.Key.Group;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Every {@code tether.pool.*} key, each declared exactly once. The builders, properties, the generated
 * table in {@code docs/properties.md} and live reconfiguration all read these declarations.
 */
public final class Keys {
  /** Prefix of every key. */
  public static final String PREFIX = "tether.pool.";

  /** "No limit" for durations that take {@code none}: waits forever. */
  public static final Duration NONE = ChronoUnit.FOREVER.getDuration();

  private static final List<Key<?>> ALL = new ArrayList<>();

  // ---------------------------------------------------------------- the pool

  public static final Key<String> NAME = add("name", Group.POOL, "string of [A-Za-z0-9._-], 1-64", "tether",
      "tether", "Pool name used in metrics tags, logs and exceptions.", false,
      s -> s, s -> s, s -> Syntax.name(s, 64), "1-64 characters from A-Z a-z 0-9 . _ -");
  public static final Key<Integer> MAX_CONNECTIONS = integer("max-connections", 1, Integer.MAX_VALUE, 64, "64",
      "Limit on open plus connecting connections across all servers.", false);
  public static final Key<Integer> MAX_CONNECTIONS_PER_SERVER = integer("max-connections-per-server", 1,
      Integer.MAX_VALUE, null, "max-connections", "Limit on open plus connecting connections to one server.", false);
  public static final Key<Integer> MAX_PENDING_ACQUIRES = integer("max-pending-acquires", 0, Integer.MAX_VALUE,
      1000, "1000", "Acquires allowed to wait for a release or for room, as Netty's maxPendingAcquires counts (an "
          + "acquire that opens a connection of its own does not wait); beyond it an acquire is rejected at once.",
      false);
  public static final Key<Duration> ACQUIRE_TIMEOUT = durationOrNone("acquire-timeout", Duration.ZERO,
      Duration.ofDays(24), Duration.ofSeconds(10), "10s",
      "How long an acquire may wait for a connection, connect included; 0 fails one that must wait, none waits forever.",
      false);
  public static final Key<Duration> CONNECT_TIMEOUT = add("connect-timeout", Group.POOL,
      "duration 0 or 1ms-10m", Duration.ofSeconds(5), "5s",
      "Limit on opening one connection; 0 leaves it to the transport (Netty: the bootstrap's CONNECT_TIMEOUT_MILLIS).",
      false, s -> Syntax.duration(s, true), Syntax::formatDuration,
      d -> d.isZero() || within(d, Duration.ofMillis(1), Duration.ofMinutes(10)), "0, or 1ms to 10m");
  public static final Key<ReuseOrder> REUSE_ORDER = choice("reuse-order", ReuseOrder.class, ReuseOrder.LIFO,
      "lifo reuses the most recently used idle connection (few warm connections); fifo the least.", false);
  public static final Key<Balance> BALANCE = choice("balance", Balance.class, Balance.LEASTCONN,
      "How a new connection picks its server: fewest connections per weight, or weighted turns.", false);
  public static final Key<Duration> RESPONSE_TIMEOUT = zeroOr("response-timeout", Duration.ofMillis(1),
      Duration.ofHours(1), "0 (off)",
      "Time a leased connection may wait for the first response byte after a write before it is closed as broken.",
      false);
  public static final Key<Duration> LEAK_DETECTION_THRESHOLD = zeroOr("leak-detection-threshold",
      Duration.ofMillis(100), Duration.ofDays(1), "0 (off)",
      "A lease held longer is reported once, with the acquiring stack (WARN log and tether.pool.leaks).", false);
  public static final Key<Duration> CLOSE_TIMEOUT = durationOrNone("close-timeout", Duration.ZERO,
      Duration.ofMinutes(10), Duration.ofSeconds(5), "5s",
      "How long closing the pool waits for leased connections before closing them under their users; none never does.",
      false);
  public static final Key<Boolean> ACQUIRE_TIMEOUT_INCLUDES_CONNECT = bool("acquire-timeout-includes-connect", true,
      "Whether acquire-timeout also bounds an acquire's own connect; false times only waiting for room (Netty's).",
      false);
  public static final Key<OnAcquireTimeout> ON_ACQUIRE_TIMEOUT = choice("on-acquire-timeout",
      OnAcquireTimeout.class, OnAcquireTimeout.FAIL,
      "What an acquire that waited acquire-timeout does: fail, or connect beyond max-connections (Netty's NEW).",
      false);
  public static final Key<IdleInput> IDLE_INPUT = choice("idle-input", IdleInput.class, IdleInput.PASS,
      "Bytes arriving on an idle connection: pass them to the transport's handlers and keep it, or close it.", false);
  public static final Key<OnMarkedDown> ON_MARKED_DOWN = choice("on-marked-down", OnMarkedDown.class,
      OnMarkedDown.SHUTDOWN_SESSIONS,
      "What marking a server down does to its connections: close them all now, close each when released, or nothing.",
      true);
  public static final Key<OnMarkedUp> ON_MARKED_UP = choice("on-marked-up", OnMarkedUp.class, OnMarkedUp.NONE,
      "What a server coming up does: nothing, or close the connections to backup servers (shutdown-backup-sessions).",
      true);
  public static final Key<Boolean> OBSERVE = add("observe", Group.POOL, "layer4 | none", Boolean.TRUE, "layer4",
      "Count connect failures and resets of leased connections against a server (needs check).", true,
      s -> s.equals("layer4") ? Boolean.TRUE : s.equals("none") ? Boolean.FALSE : null,
      b -> b ? "layer4" : "none", b -> true, "layer4 or none");
  public static final Key<Integer> ERROR_LIMIT = integer("error-limit", 1, 1000, 10, "10",
      "Consecutive observed errors that mark a server down.", true);
  public static final Key<Boolean> REDISPATCH = bool("redispatch", true,
      "Retry a failed connect on another server (HAProxy's `option redispatch`).", false);
  public static final Key<Integer> RETRIES = integer("retries", 0, 10, 2, "2",
      "Connect attempts after the first that one acquire may make.", false);
  public static final Key<Integer> MIN_IDLE = integer("min-idle", 0, Integer.MAX_VALUE, 0, "0",
      "Idle connections kept open to each server that is up, opened one at a time; at most max-connections-per-server.",
      false);
  public static final Key<Duration> SLOW_START = zeroOr("slow-start", Duration.ofMillis(100), Duration.ofHours(1),
      "0 (off)", "A server added or back up gets its weight linearly over this time (HAProxy's slowstart).", true);
  public static final Key<Boolean> REBALANCE = bool("rebalance", true,
      "After a server joins, comes back or is re-weighted, retire connections of servers above their share at release.",
      true);
  public static final Key<Integer> AFFINITY_MAX_KEYS = integer("affinity.max-keys", 1, 10_000_000, 10_000, "10000",
      "Most affinity keys remembered; beyond it the least recently used are forgotten.", false);
  public static final Key<Duration> AFFINITY_IDLE_TIMEOUT = duration("affinity.idle-timeout", Group.POOL,
      Duration.ofSeconds(1), Duration.ofDays(1), Duration.ofMinutes(10), "10m",
      "An affinity key unused this long is forgotten.", false);

  // ---------------------------------------------------------------- eviction

  public static final Key<Duration> LB_IDLE_TIMEOUT = duration("lb-idle-timeout", Group.EVICTION,
      Duration.ofMillis(10), Duration.ofDays(24), Duration.ofSeconds(50), "50s",
      "The load balancer's idle timeout (timeout http-keep-alive / client / server); the pool evicts before it.",
      true);
  public static final Key<Double> EVICT_RATIO = add("evict-ratio", Group.EVICTION, "ratio above 0, below 1", 0.9,
      "0.9", "evict-after as a fraction of lb-idle-timeout when evict-after is not given (10m -> 9m).", true,
      Syntax::ratio, Syntax::formatRatio, r -> r > 0 && r < 1, "a fraction above 0 and below 1, such as 0.9 or 90%");
  public static final Key<Duration> EVICT_AFTER = duration("evict-after", Group.EVICTION, Duration.ofMillis(10),
      Duration.ofDays(24), null, "evict-ratio x lb-idle-timeout",
      "Idle time (since the last byte in or out) after which a connection is closed; below lb-idle-timeout.", true);
  public static final Key<Double> JITTER = add("jitter", Group.EVICTION, "ratio 0-0.5", 0.05, "0.05",
      "Largest random fraction by which each connection's idle deadline and lifetime are moved earlier (never later).",
      true, Syntax::ratio, Syntax::formatRatio, r -> r >= 0 && r <= 0.5, "a fraction from 0 to 0.5, such as 0.05 or 5%");
  public static final Key<Duration> MAX_LIFETIME = zeroOrIn("max-lifetime", Group.EVICTION, Duration.ofSeconds(1),
      Duration.ofDays(24), "0 (unlimited)",
      "Maximum connection age, jittered like the idle deadline; moves long connections to other servers after a deploy.",
      true);
  public static final Key<Duration> LB_FIRST_REQUEST_TIMEOUT = zeroOrIn("lb-first-request-timeout", Group.EVICTION,
      Duration.ofMillis(10), Duration.ofDays(24), "0 (lb-idle-timeout)",
      "The balancer's idle timeout for a connection that never carried a request (timeout http-request); "
          + "a never-leased connection is evicted at evict-ratio of it.",
      true);
  public static final Key<Duration> HANDOUT_MARGIN = duration("handout-margin", Group.EVICTION, Duration.ZERO,
      Duration.ofMinutes(1), null, "min(500ms, 5% of evict-after)",
      "A connection this close to its idle deadline or lifetime is closed instead of handed out.", true);

  // ---------------------------------------------------------------- health checks

  public static final Key<Boolean> CHECK = add("check", Group.CHECK, "boolean", Boolean.FALSE, "false",
      "Active health checks of every server (HAProxy's `check`).", true,
      Syntax::bool, String::valueOf, b -> true, "true or false");
  public static final Key<Duration> CHECK_INTER = checkInterval("check.inter", Duration.ofSeconds(2), "2s",
      "Interval between checks of a server that is up, from the end of one check to the start of the next.");
  public static final Key<Duration> CHECK_FASTINTER = checkInterval("check.fastinter", null, "check.inter",
      "Interval while a server changes state (up with failures, down with successes).");
  public static final Key<Duration> CHECK_DOWNINTER = checkInterval("check.downinter", null, "check.inter",
      "Interval while a server is down.");
  public static final Key<Integer> CHECK_FALL = integer("check.fall", Group.CHECK, 1, 100, 3, "3",
      "Consecutive failed checks that mark a server down.");
  public static final Key<Integer> CHECK_RISE = integer("check.rise", Group.CHECK, 1, 100, 2, "2",
      "Consecutive passed checks that mark a server up.");
  public static final Key<Duration> CHECK_CONNECT_TIMEOUT = duration("check.connect-timeout", Group.CHECK,
      Duration.ofMillis(1), Duration.ofHours(1), null, "check.inter",
      "How long a check's connect may take (HAProxy: min(inter, timeout connect) when timeout check is set).", true);
  public static final Key<Duration> CHECK_TIMEOUT = zeroOrIn("check.timeout", Group.CHECK, Duration.ofMillis(1),
      Duration.ofHours(1), "0 (the whole check within check.inter)",
      "How long a check may take once connected (HAProxy's `timeout check`); 0 bounds the whole check by check.inter.",
      true);
  public static final Key<HealthCheck.Type> CHECK_TYPE = choice("check.type", Group.CHECK, HealthCheck.Type.class,
      HealthCheck.Type.TCP, "A TCP connect, or an HTTP request (needs the Netty adapter).");
  public static final Key<String> CHECK_HTTP_METHOD = add("check.http-method", Group.CHECK, "HTTP method", "GET",
      "GET", "Method of an HTTP check.", true, s -> s, s -> s,
      s -> Syntax.token(s) && s.length() <= 32, "an HTTP method such as GET, HEAD or OPTIONS");
  public static final Key<String> CHECK_HTTP_PATH = add("check.http-path", Group.CHECK, "path", "/", "/",
      "Path (and query) of an HTTP check.", true, s -> s, s -> s,
      s -> s.startsWith("/") && s.length() <= 2048 && Syntax.visibleAscii(s),
      "a path of up to 2048 visible ASCII characters starting with /");
  public static final Key<String> CHECK_HTTP_VERSION = add("check.http-version", Group.CHECK,
      "HTTP/1.0 | HTTP/1.1", "HTTP/1.1", "HTTP/1.1",
      "Version of an HTTP check request (HTTP/1.1 sends Host: the server's host unless a header sets it).", true,
      s -> s, s -> s, s -> s.equals("HTTP/1.0") || s.equals("HTTP/1.1"), "HTTP/1.0 or HTTP/1.1");
  public static final Key<HealthCheck.Expect> CHECK_HTTP_EXPECT = add("check.http-expect", Group.CHECK,
      "[!] status <codes> | rstatus <regex> | string <text> | rstring <regex>", HealthCheck.Expect.DEFAULT,
      "status 200-399", "What a passing HTTP check response shows, as HAProxy's `http-check expect`.", true,
      HealthCheck.Expect::parseOrNull, HealthCheck.Expect::toString, e -> true,
      "[!] status <codes>, rstatus <regex>, string <text> or rstring <regex>, e.g. status 200-299");
  public static final Key<String> CHECK_HTTP_BODY = add("check.http-body", Group.CHECK, "text", "", "empty",
      "Body of an HTTP check request (sent with its Content-Length).", true, s -> s, s -> s,
      s -> s.length() <= 4096 && s.chars().allMatch(c -> c >= 0x20 && c < 0x7f),
      "up to 4096 printable ASCII characters");
  public static final Key<Boolean> CHECK_HTTP_DISABLE_ON_404 = add("check.http-disable-on-404", Group.CHECK,
      "boolean", Boolean.FALSE, "false",
      "A 404 answer to an HTTP check drains the server instead of passing (HAProxy's `http-check disable-on-404`).",
      true, Syntax::bool, String::valueOf, b -> true, "true or false");
  public static final Key<Boolean> CHECK_SSL = add("check.ssl", Group.CHECK, "boolean", Boolean.FALSE, "false",
      "Checks over TLS, with the pool's TLS settings (HAProxy's `check-ssl`).", true,
      Syntax::bool, String::valueOf, b -> true, "true or false");

  // ---------------------------------------------------------------- discovery

  public static final Key<String> DISCOVERY_DNS = add("discovery.dns", Group.DISCOVERY, "host:port", "", "none",
      "Servers from DNS: every A/AAAA address of host is a server on port, named by a slot (needs the Netty 4 adapter "
          + "and netty-resolver-dns).",
      false, s -> s, s -> s, Syntax::dnsHostPort, "a DNS name and a port 1-65535, such as api.internal:8080");
  public static final Key<String> DISCOVERY_DNS_SRV = add("discovery.dns-srv", Group.DISCOVERY, "SRV name", "",
      "none", "Servers from DNS SRV records: every target, with the records' ports, weights and priorities.", false,
      s -> s, s -> s, Syntax::srvName, "an SRV name such as _http._tcp.api.internal");
  public static final Key<String> DISCOVERY_RESOLVER = add("discovery.resolver", Group.DISCOVERY, "ip[:port]", "",
      "the platform's (/etc/resolv.conf)", "The DNS server discovery asks.", false, s -> s, s -> s,
      s -> Syntax.socketAddress(s, 53) != null,
      "an IP address with an optional port, such as 10.0.0.2, 10.0.0.2:5353 or [fd00::2]:53");
  public static final Key<String> DISCOVERY_PREFIX = add("discovery.prefix", Group.DISCOVERY,
      "string of [A-Za-z0-9._-], 1-32", "", "the DNS name's first label",
      "Discovered servers are named prefix1, prefix2, ... up to max-servers, as HAProxy's server-template.", false, s -> s, s -> s,
      s -> Syntax.name(s, 32), "1-32 characters from A-Z a-z 0-9 . _ -");
  public static final Key<Integer> DISCOVERY_MAX_SERVERS = integer("discovery.max-servers", Group.DISCOVERY, 1,
      10_000, 64, "64", "Most discovered servers at once (the slot count); further addresses wait for a free slot.",
      false);
  public static final Key<Duration> DISCOVERY_TTL_MIN = duration("discovery.ttl-min", Group.DISCOVERY,
      Duration.ofMillis(100), Duration.ofHours(1), Duration.ofSeconds(1), "1s",
      "Shortest time between resolutions (an answer's TTL is clamped to ttl-min..ttl-max); also the retry time.",
      false);
  public static final Key<Duration> DISCOVERY_TTL_MAX = duration("discovery.ttl-max", Group.DISCOVERY,
      Duration.ofMillis(100), Duration.ofDays(1), Duration.ofMinutes(5), "5m",
      "Longest time between resolutions, whatever the TTL; at least ttl-min.", false);
  public static final Key<Duration> DISCOVERY_HOLD_OBSOLETE = duration("discovery.hold-obsolete", Group.DISCOVERY,
      Duration.ZERO, Duration.ofDays(1), Duration.ofSeconds(30), "30s",
      "How long an address missing from answers keeps its server (HAProxy's hold obsolete).", false);
  public static final Key<Duration> DISCOVERY_HOLD_NX = duration("discovery.hold-nx", Group.DISCOVERY,
      Duration.ZERO, Duration.ofDays(1), Duration.ofSeconds(30), "30s",
      "How long an NXDOMAIN or empty answer must last before it empties the pool (HAProxy's hold nx).", false);
  public static final Key<Duration> DISCOVERY_QUERY_TIMEOUT = duration("discovery.query-timeout", Group.DISCOVERY,
      Duration.ofMillis(1), Duration.ofMinutes(1), Duration.ofSeconds(2), "2s",
      "Limit on one DNS query; a query that times out keeps the servers as they are.", false);

  private Keys() {}

  /** {@return every key, in documentation order} */
  public static List<Key<?>> all() {
    return Collections.unmodifiableList(ALL);
  }

  /** {@return the key named {@code name} (after the prefix), or null} */
  public static Key<?> find(String name) {
    for (Key<?> k : ALL) {
      if (k.name().equals(name)) {
        return k;
      }
    }
    return null;
  }

  static int count() {
    return ALL.size();
  }

  // ---------------------------------------------------------------- declaration helpers

  private static <T> Key<T> add(String name, Group group, String type, T dflt, String dfltText, String meaning,
      boolean live, Function<String, T> parser, Function<T, String> formatter,
      java.util.function.Predicate<T> inRange, String expected) {
    Function<String, T> trimmed = raw -> parser.apply(Syntax.trim(raw));
    Key<T> k = new Key<>(ALL.size(), name, group, type, dflt, dfltText, meaning, live, trimmed, formatter, inRange,
        expected);
    ALL.add(k);
    return k;
  }

  private static boolean within(Duration d, Duration min, Duration max) {
    return d.compareTo(min) >= 0 && d.compareTo(max) <= 0;
  }

  private static String range(Duration min, Duration max) {
    return Syntax.formatDuration(min) + " to " + Syntax.formatDuration(max);
  }

  private static Key<Integer> integer(String name, int min, int max, Integer dflt, String dfltText, String meaning,
      boolean live) {
    return integer(name, Group.POOL, min, max, dflt, dfltText, meaning, live);
  }

  private static Key<Integer> integer(String name, Group group, int min, int max, Integer dflt, String dfltText,
      String meaning) {
    return integer(name, group, min, max, dflt, dfltText, meaning, true);
  }

  private static Key<Integer> integer(String name, Group group, int min, int max, Integer dflt, String dfltText,
      String meaning, boolean live) {
    return add(name, group, "int " + min + "-" + max, dflt, dfltText, meaning, live,
        s -> {
          Long v = Syntax.integer(s);
          return v == null || v > Integer.MAX_VALUE ? null : v.intValue();
        },
        String::valueOf, v -> v >= min && v <= max, "an integer from " + min + " to " + max);
  }

  private static Key<Boolean> bool(String name, boolean dflt, String meaning, boolean live) {
    return add(name, Group.POOL, "boolean", dflt, String.valueOf(dflt), meaning, live, Syntax::bool,
        String::valueOf, b -> true, "true or false");
  }

  private static Key<Duration> duration(String name, Group group, Duration min, Duration max, Duration dflt,
      String dfltText, String meaning, boolean live) {
    return add(name, group, "duration " + range(min, max).replace(" to ", "-"), dflt, dfltText, meaning, live,
        s -> Syntax.duration(s, true), Syntax::formatDuration, d -> within(d, min, max), range(min, max));
  }

  private static Key<Duration> checkInterval(String name, Duration dflt, String dfltText, String meaning) {
    return duration(name, Group.CHECK, Duration.ofMillis(10), Duration.ofHours(1), dflt, dfltText, meaning, true);
  }

  private static Key<Duration> zeroOr(String name, Duration min, Duration max, String dfltText, String meaning,
      boolean live) {
    return zeroOrIn(name, Group.POOL, min, max, dfltText, meaning, live);
  }

  private static Key<Duration> zeroOrIn(String name, Group group, Duration min, Duration max, String dfltText,
      String meaning, boolean live) {
    return add(name, group, "duration 0 or " + range(min, max).replace(" to ", "-"), Duration.ZERO, dfltText,
        meaning, live, s -> Syntax.duration(s, true), Syntax::formatDuration,
        d -> d.isZero() || within(d, min, max), "0, or " + range(min, max));
  }

  private static Key<Duration> durationOrNone(String name, Duration min, Duration max, Duration dflt,
      String dfltText, String meaning, boolean live) {
    return add(name, Group.POOL, "duration " + range(min, max).replace(" to ", "-") + " | none", dflt, dfltText,
        meaning, live, s -> s.equals("none") ? NONE : Syntax.duration(s, true),
        d -> d.equals(NONE) ? "none" : Syntax.formatDuration(d),
        d -> d.equals(NONE) || within(d, min, max), range(min, max) + ", or none");
  }

  private static <E extends Enum<E>> Key<E> choice(String name, Class<E> type, E dflt, String meaning,
      boolean live) {
    return choice(name, Group.POOL, type, dflt, meaning, live);
  }

  private static <E extends Enum<E>> Key<E> choice(String name, Group group, Class<E> type, E dflt,
      String meaning) {
    return choice(name, group, type, dflt, meaning, true);
  }

  private static <E extends Enum<E>> Key<E> choice(String name, Group group, Class<E> type, E dflt,
      String meaning, boolean live) {
    List<String> ids = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      ids.add(id(e));
    }
    return add(name, group, String.join(" | ", ids), dflt, id(dflt), meaning, live,
        s -> {
          for (E e : type.getEnumConstants()) {
            if (id(e).equals(s)) {
              return e;
            }
          }
          return null;
        },
        Keys::id, e -> true, String.join(", ", ids.subList(0, ids.size() - 1)) + " or " + ids.get(ids.size() - 1));
  }

  /** An enum constant as written: {@code SHUTDOWN_SESSIONS} is {@code shutdown-sessions}. */
  public static String id(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
