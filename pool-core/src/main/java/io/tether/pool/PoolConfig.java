package io.tether.pool;

import io.tether.pool.internal.config.Key;
import io.tether.pool.internal.config.Keys;
import io.tether.pool.internal.config.PropertyReader;
import io.tether.pool.internal.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Everything tunable about a pool, immutable and validated. Build one with {@link #builder()} or read
 * one from {@code tether.pool.*} properties with {@link #fromProperties(Properties)}; every setting has
 * exactly one property key, named in its getter's documentation and listed in {@code
 * docs/properties.md}. Idle eviction and health checks are typed groups of their own, {@link Eviction}
 * and {@link HealthCheck}.
 *
 * <p>A bad value fails at once with a {@link ConfigException} naming the key, the value as written and
 * the allowed range; values are never coerced.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class PoolConfig {

  /** Prefix of every property key. */
  public static final String PREFIX = Keys.PREFIX;

  /** The value of {@code acquire-timeout} and {@code close-timeout} that means no limit ({@code none}). */
  public static final Duration NO_LIMIT = Keys.NONE;

  private final Settings settings;
  private final List<Endpoint> servers;
  private final Eviction eviction;
  private final HealthCheck healthCheck;
  private final Discovery discovery;

  private PoolConfig(Builder b) {
    this.settings = b.settings.copy();
    this.servers = List.copyOf(b.servers.values());
    this.eviction = new Eviction(settings);
    this.healthCheck = new HealthCheck(settings, b.headers);
    this.discovery = new Discovery(settings);
    if (discovery.enabled() && !servers.isEmpty()) {
      // Discovery owns the server list: it would remove these at its first answer.
      throw new ConfigException(PREFIX + PropertyReader.SERVER_PREFIX + servers.get(0).name(),
          servers.get(0).address(), "no fixed server when the servers come from "
              + (discovery.srv() ? Keys.DISCOVERY_DNS_SRV : Keys.DISCOVERY_DNS).fullName() + " " + discovery.name());
    }
    if (settings.isSet(Keys.MAX_CONNECTIONS_PER_SERVER) && maxConnectionsPerServer() > maxConnections()) {
      throw new ConfigException(Keys.MAX_CONNECTIONS_PER_SERVER.fullName(),
          Integer.toString(maxConnectionsPerServer()),
          "at most " + Keys.MAX_CONNECTIONS.fullName() + " " + maxConnections());
    }
    if (minIdle() > maxConnectionsPerServer()) {
      throw new ConfigException(Keys.MIN_IDLE.fullName(), Integer.toString(minIdle()), "at most "
          + Keys.MAX_CONNECTIONS_PER_SERVER.fullName() + " " + maxConnectionsPerServer());
    }
  }

  /** {@return a builder with every setting at its default} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads {@code tether.pool.*} keys from {@code properties}. Keys of other applications are ignored,
   * so system properties can be passed whole; a key that looks meant for Tether but is not one ({@code
   * tether.pools.x}, {@code Tether.pool.x}, {@code tether.max-connections}, a misspelt name) is an error
   * that suggests the nearest key.
   *
   * @param properties properties to read
   * @return the configuration
   * @throws ConfigException for an unknown key or a bad value
   */
  public static PoolConfig fromProperties(Properties properties) {
    return builder().properties(properties, null).build();
  }

  /**
   * Reads a {@code .properties} file (UTF-8) of {@code tether.pool.*} keys; a key given twice is an
   * error.
   *
   * @param file a {@code .properties} file
   * @return the configuration
   * @throws ConfigException naming the file as well as the key, for an unknown key or a bad value
   * @throws java.io.UncheckedIOException if the file cannot be read
   */
  public static PoolConfig fromFile(Path file) {
    return builder().properties(PropertyReader.load(file), file.toString()).build();
  }

  /**
   * Reads {@code tether.pool.*} JVM system properties ({@code -Dtether.pool.evict-after=9m}).
   *
   * @return the configuration
   */
  public static PoolConfig fromSystemProperties() {
    return builder().properties(System.getProperties(), "system properties").build();
  }

  /**
   * The usual layering: defaults, then {@code file} if not null, then JVM system properties, each
   * overriding the one before.
   *
   * @param file a {@code .properties} file, or null
   * @return the configuration
   */
  public static PoolConfig load(Path file) {
    Builder b = builder();
    if (file != null) {
      b.properties(PropertyReader.load(file), file.toString());
    }
    return b.properties(System.getProperties(), "system properties").build();
  }

  /** {@return a builder holding this configuration's settings, to derive a modified copy} */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.settings.replaceGroup(Key.Group.POOL, settings);
    b.settings.replaceGroup(Key.Group.EVICTION, settings);
    b.settings.replaceGroup(Key.Group.CHECK, settings);
    b.settings.replaceGroup(Key.Group.DISCOVERY, settings);
    servers.forEach(e -> b.servers.put(e.name(), e));
    b.headers.putAll(healthCheck.httpHeaders());
    return b;
  }

  /**
   * The settings given explicitly, as {@code tether.pool.*} properties; {@link #fromProperties} of them
   * gives an equal config. Derived values ({@code evict-after} from {@code evict-ratio}, say) are
   * derived again on reading.
   *
   * @return the explicit settings and the servers
   * @throws UnsupportedOperationException if a server's address is not {@code host:port}
   */
  public Properties toProperties() {
    Properties p = new Properties();
    for (Key<?> k : Keys.all()) {
      if (settings.isSet(k)) {
        p.setProperty(k.fullName(), format(k));
      }
    }
    for (Endpoint e : servers) {
      p.setProperty(PREFIX + PropertyReader.SERVER_PREFIX + e.name(), PropertyReader.formatServer(e));
    }
    healthCheck.httpHeaders().forEach((n, v) -> p.setProperty(PREFIX + PropertyReader.HEADER_PREFIX + n, v));
    return p;
  }

  private <T> String format(Key<T> k) {
    return k.format(settings.get(k));
  }

  /** {@return name used in metrics tags, logs and exceptions} Key {@code name}; default {@code tether}. */
  public String name() {
    return settings.get(Keys.NAME);
  }

  /** {@return the servers, in configuration order} Keys {@code server.<name>}; default none. */
  public List<Endpoint> servers() {
    return servers;
  }

  /**
   * {@return limit on open plus connecting connections across all servers} Key {@code max-connections};
   * default 64.
   */
  public int maxConnections() {
    return settings.get(Keys.MAX_CONNECTIONS);
  }

  /** {@return limit per server} Key {@code max-connections-per-server}; default {@link #maxConnections()}. */
  public int maxConnectionsPerServer() {
    return settings.isSet(Keys.MAX_CONNECTIONS_PER_SERVER) ? settings.get(Keys.MAX_CONNECTIONS_PER_SERVER)
        : maxConnections();
  }

  /**
   * {@return bound on acquires waiting for a release or for room} An acquire that opens a connection of its
   * own is not counted, as in Netty's {@code FixedChannelPool}; one whose own connect failed or served
   * another acquire waits on without being admitted again (at most one per connection). Key {@code
   * max-pending-acquires}; default 1000.
   */
  public int maxPendingAcquires() {
    return settings.get(Keys.MAX_PENDING_ACQUIRES);
  }

  /**
   * {@return how long an acquire may wait, connect included; zero fails one that must wait, {@link
   * #NO_LIMIT} waits forever} Key {@code acquire-timeout}; default 10s.
   */
  public Duration acquireTimeout() {
    return settings.get(Keys.ACQUIRE_TIMEOUT);
  }

  /**
   * {@return whether {@link #acquireTimeout()} also bounds an acquire's own connect; false times only the
   * wait for room at the limit, as Netty's {@code FixedChannelPool} (the connect is bounded by {@link
   * #connectTimeout()})} Key {@code acquire-timeout-includes-connect}; default true.
   */
  public boolean acquireTimeoutIncludesConnect() {
    return settings.get(Keys.ACQUIRE_TIMEOUT_INCLUDES_CONNECT);
  }

  /**
   * {@return what an acquire that waited {@link #acquireTimeout()} does} Key {@code on-acquire-timeout};
   * default {@code fail}.
   */
  public OnAcquireTimeout onAcquireTimeout() {
    return settings.get(Keys.ON_ACQUIRE_TIMEOUT);
  }

  /**
   * {@return limit on opening one connection, or zero to leave it to the transport} Key {@code
   * connect-timeout}; default 5s.
   */
  public Duration connectTimeout() {
    return settings.get(Keys.CONNECT_TIMEOUT);
  }

  /**
   * Idle connections kept open to each server that is up: the pool opens them one at a time per server
   * (the next when the previous one connected), at start, when one closes and when a server comes up,
   * never while acquires wait (they open their own) and never beyond the connection limits. Such a
   * connection has carried no request, so it is evicted at {@link Eviction#evictUnusedAfter()}, before
   * HAProxy's {@code timeout http-request} would answer it with an unsolicited 408. Key {@code
   * min-idle}; default 0 (connections open only for acquires).
   *
   * @return idle connections kept per server
   */
  public int minIdle() {
    return settings.get(Keys.MIN_IDLE);
  }

  /**
   * How long a server that was added at runtime or came back up takes to reach its full weight: its
   * share of new connections grows linearly over this time, as with HAProxy's {@code slowstart}, so a
   * cold server is not handed a whole pool's worth of connects at once. Key {@code slow-start}; default
   * 0 (full weight at once).
   *
   * @return the ramp, or zero for none
   */
  public Duration slowStart() {
    return settings.get(Keys.SLOW_START);
  }

  /**
   * Whether connections move toward servers below their share after a server joins, comes back up or
   * is re-weighted: connections of servers above 120% of their weighted share are closed when next
   * released (cause {@code rebalanced}), a quarter of the excess every 250 ms or so, while some server is
   * below 80% of its share. Key {@code rebalance}; default true.
   *
   * @return whether the pool rebalances
   */
  public boolean rebalance() {
    return settings.get(Keys.REBALANCE);
  }

  /** {@return which idle connection is reused first} Key {@code reuse-order}; default {@code lifo}. */
  public ReuseOrder reuseOrder() {
    return settings.get(Keys.REUSE_ORDER);
  }

  /** {@return how a new connection picks its server} Key {@code balance}; default {@code leastconn}. */
  public Balance balance() {
    return settings.get(Keys.BALANCE);
  }

  /** {@return idle eviction and lifetime settings; see {@link Eviction} for each key} */
  public Eviction eviction() {
    return eviction;
  }

  /** {@return active health checks; see {@link HealthCheck} for each {@code check.*} key} */
  public HealthCheck healthCheck() {
    return healthCheck;
  }

  /**
   * {@return where the servers come from when not a fixed list; not {@link Discovery#enabled()} by
   * default} Keys {@code discovery.*}.
   */
  public Discovery discovery() {
    return discovery;
  }

  /**
   * How long closing the pool waits for leased connections before closing them under their users;
   * {@link #NO_LIMIT} never closes them (each closes as it is released). Key {@code close-timeout};
   * default 5s.
   *
   * @return the close timeout
   */
  public Duration closeTimeout() {
    return settings.get(Keys.CLOSE_TIMEOUT);
  }

  /**
   * How long a leased connection may wait for the first byte of a response after a write before it is
   * closed as broken with a {@link ResponseTimeoutException}; zero turns it off. Bounds the hang when a
   * server dies silently behind a balancer that keeps the session open. Key {@code response-timeout};
   * default 0 (off).
   *
   * @return the first-byte timeout, or zero for off
   */
  public Duration responseTimeout() {
    return settings.get(Keys.RESPONSE_TIMEOUT);
  }

  /**
   * A lease held longer than this is reported once as a suspected leak, with the stack of the code that
   * acquired it (a WARN log and {@code tether.pool.leaks}); zero turns detection off, and with it the
   * stack capture each acquire then costs. Key {@code leak-detection-threshold}; default 0 (off).
   *
   * @return the leak threshold, or zero for off
   */
  public Duration leakDetectionThreshold() {
    return settings.get(Keys.LEAK_DETECTION_THRESHOLD);
  }

  /** {@return what bytes arriving on an idle connection do} Key {@code idle-input}; default {@code pass}. */
  public IdleInput idleInput() {
    return settings.get(Keys.IDLE_INPUT);
  }

  /**
   * {@return what marking a server down does to its connections} Key {@code on-marked-down}; default
   * shutdown-sessions.
   */
  public OnMarkedDown onMarkedDown() {
    return settings.get(Keys.ON_MARKED_DOWN);
  }

  /** {@return what a server coming up does to other servers' sessions} Key {@code on-marked-up}; default none. */
  public OnMarkedUp onMarkedUp() {
    return settings.get(Keys.ON_MARKED_UP);
  }

  /**
   * Whether connect failures and resets of leased connections count against a server, as HAProxy's
   * {@code observe layer4}; {@link #errorLimit()} of them in a row mark it down (health checks bring it
   * back). Needs checks. Key {@code observe} ({@code layer4} or {@code none}); default layer4.
   *
   * @return whether errors on leased connections count against a server
   */
  public boolean observe() {
    return settings.get(Keys.OBSERVE);
  }

  /** {@return consecutive observed errors that mark a server down} Key {@code error-limit}; default 10. */
  public int errorLimit() {
    return settings.get(Keys.ERROR_LIMIT);
  }

  /**
   * {@return whether a failed connect is retried on another server, as HAProxy's {@code option
   * redispatch}} Key {@code redispatch}; default true.
   */
  public boolean redispatch() {
    return settings.get(Keys.REDISPATCH);
  }

  /** {@return connect attempts after the first that an acquire may make} Key {@code retries}; default 2. */
  public int retries() {
    return settings.get(Keys.RETRIES);
  }

  /**
   * {@return most affinity keys remembered; beyond it the least recently used are forgotten} Key {@code
   * affinity.max-keys}; default 10000.
   */
  public int affinityMaxKeys() {
    return settings.get(Keys.AFFINITY_MAX_KEYS);
  }

  /** {@return a key unused this long is forgotten} Key {@code affinity.idle-timeout}; default 10m. */
  public Duration affinityIdleTimeout() {
    return settings.get(Keys.AFFINITY_IDLE_TIMEOUT);
  }

  /**
   * The keys whose effective values differ between this configuration and {@code other}, in
   * documentation order, plus {@code server.*} when the servers differ.
   *
   * @param other another configuration
   * @return the full names of the keys that differ
   */
  public List<String> differences(PoolConfig other) {
    List<String> out = new ArrayList<>();
    Map<String, String> a = effective();
    Map<String, String> b = other.effective();
    for (Key<?> k : Keys.all()) {
      if (!Objects.equals(a.get(k.name()), b.get(k.name()))) {
        out.add(k.fullName());
      }
    }
    if (!healthCheck.httpHeaders().equals(other.healthCheck.httpHeaders())) {
      out.add(PREFIX + PropertyReader.HEADER_PREFIX + "*");
    }
    if (!servers.equals(other.servers)) {
      out.add(PREFIX + PropertyReader.SERVER_PREFIX + "*");
    }
    return out;
  }

  /**
   * {@return the effective value of {@code key} as written in properties, or the servers for {@code
   * server.*}, for messages}
   *
   * @param key a full key, as {@link #differences} names it
   */
  public String describe(String key) {
    if (key.equals(PREFIX + PropertyReader.SERVER_PREFIX + "*")) {
      return servers.toString();
    }
    if (key.equals(PREFIX + PropertyReader.HEADER_PREFIX + "*")) {
      return healthCheck.httpHeaders().toString();
    }
    return effective().get(key.substring(PREFIX.length()));
  }

  /** Every key's effective value (explicit, default or derived), as text. */
  private Map<String, String> effective() {
    Map<String, String> m = new TreeMap<>();
    for (Key<?> k : Keys.all()) {
      m.put(k.name(), formatted(k, effectiveValue(k)));
    }
    return m;
  }

  @SuppressWarnings("unchecked")
  private static <T> String formatted(Key<T> k, Object v) {
    return k.format((T) v);
  }

  private Object effectiveValue(Key<?> k) {
    if (k == Keys.EVICT_AFTER) {
      return eviction.evictAfter();
    } else if (k == Keys.HANDOUT_MARGIN) {
      return eviction.handoutMargin();
    } else if (k == Keys.MAX_CONNECTIONS_PER_SERVER) {
      return maxConnectionsPerServer();
    } else if (k == Keys.CHECK_FASTINTER) {
      return healthCheck.fastinter();
    } else if (k == Keys.CHECK_DOWNINTER) {
      return healthCheck.downinter();
    } else if (k == Keys.CHECK_CONNECT_TIMEOUT) {
      return healthCheck.connectTimeout();
    }
    return settings.get(k);
  }

  /** Equal when every effective value and every server is equal, however each was given. */
  @Override
  public boolean equals(Object o) {
    return o instanceof PoolConfig other && differences(other).isEmpty();
  }

  @Override
  public int hashCode() {
    return Objects.hash(effective(), servers);
  }

  @Override
  public String toString() {
    Map<String, String> m = effective();
    servers.forEach(e -> m.put(PropertyReader.SERVER_PREFIX + e.name(), e.toString()));
    return "PoolConfig" + m;
  }

  /**
   * Collects settings; each method validates its argument at once and names its property key in the
   * error. {@link #build()} checks the settings against each other. Not thread-safe.
   */
  public static final class Builder extends ConfigBuilder {
    private Builder() {}

    /**
     * Checks the settings against each other and returns the immutable configuration.
     *
     * @return the configuration
     * @throws ConfigException naming the keys that disagree
     */
    public PoolConfig build() {
      return new PoolConfig(this);
    }
  }
}
