package io.tether.pool;

import io.tether.pool.internal.config.Ranges;
import static io.tether.pool.internal.config.Ranges.notNull;
import static io.tether.pool.internal.config.Ranges.zeroOr;

import io.tether.pool.internal.config.PropertyTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Everything tunable about a pool, immutable and validated. Build one with {@link #builder()} or read
 * one from {@code tether.pool.*} properties with {@link #fromProperties(Properties)}; every builder
 * method has exactly one property key, named in the getter's documentation and listed in {@code
 * docs/properties.md}.
 *
 * <p>Idle eviction is the heart of it. A load balancer closes a keep-alive connection that stays idle
 * past its timeout ({@code timeout http-keep-alive}, {@code timeout client}, {@code timeout server});
 * the pool closes it first, at {@link #evictAfter()}, which is either given directly or derived as
 * {@link #evictRatio()} times {@link #lbIdleTimeout()} (default 0.9 of 50s, Debian's HAProxy default).
 * Each connection's deadline is moved earlier by a random {@link #jitter()} so a fleet does not
 * reconnect in lockstep, and a connection within {@link #handoutMargin()} of its deadline is never
 * handed out.
 *
 * <p>Instances are immutable and thread-safe. A bad value fails at once with a {@link ConfigException}
 * naming the key, the value and the allowed range.
 */
public final class PoolConfig {

  /** Prefix of every property key. */
  public static final String PREFIX = "tether.pool.";

  static final Duration DEFAULT_LB_IDLE_TIMEOUT = Duration.ofSeconds(50);
  static final Duration MAX_HANDOUT_MARGIN = Duration.ofMillis(500);

  private final Builder b;
  private final List<Endpoint> servers;
  private final Duration lbIdleTimeout;
  private final Duration evictAfter;
  private final Duration handoutMargin;
  private final HealthCheck healthCheck;

  private PoolConfig(Builder source) {
    this.b = source.copy();
    this.servers = List.copyOf(b.servers.values());
    this.lbIdleTimeout = b.lbIdleTimeout != null ? b.lbIdleTimeout : DEFAULT_LB_IDLE_TIMEOUT;
    this.evictAfter =
        b.evictAfter != null ? b.evictAfter : Duration.ofNanos(Math.round(lbIdleTimeout.toNanos() * b.evictRatio));
    this.handoutMargin = b.handoutMargin != null ? b.handoutMargin : defaultMargin(evictAfter);
    Duration inter = b.checkInter;
    this.healthCheck = new HealthCheck(b.check, inter,
        b.checkFastinter != null ? b.checkFastinter : inter,
        b.checkDowninter != null ? b.checkDowninter : inter,
        b.checkFall, b.checkRise,
        b.checkTimeout != null ? b.checkTimeout : inter,
        b.checkType, b.checkHttpMethod, b.checkHttpPath, b.checkHttpExpectStatus);
    crossCheck();
  }

  private static Duration defaultMargin(Duration evictAfter) {
    Duration fivePercent = evictAfter.dividedBy(20);
    return fivePercent.compareTo(MAX_HANDOUT_MARGIN) < 0 ? fivePercent : MAX_HANDOUT_MARGIN;
  }

  private void crossCheck() {
    if (b.lbIdleTimeout != null && b.evictAfter != null && evictAfter.compareTo(lbIdleTimeout) >= 0) {
      throw new ConfigException(PREFIX + "evict-after", DurationSyntax.format(evictAfter),
          "below " + PREFIX + "lb-idle-timeout " + DurationSyntax.format(lbIdleTimeout));
    }
    int perServer = maxConnectionsPerServer();
    if (perServer > b.maxConnections) {
      throw new ConfigException(PREFIX + "max-connections-per-server", Integer.toString(perServer),
          "at most " + PREFIX + "max-connections " + b.maxConnections);
    }
    Duration shortestIdle = Duration.ofNanos(Math.round(evictAfter.toNanos() * (1 - b.jitter)));
    if (handoutMargin.compareTo(shortestIdle) >= 0) {
      throw new ConfigException(PREFIX + "handout-margin", DurationSyntax.format(handoutMargin),
          "below the shortest jittered idle time " + DurationSyntax.format(shortestIdle) + " (evict-after "
              + DurationSyntax.format(evictAfter) + " less jitter " + b.jitter + ")");
    }
  }

  /** {@return a builder with every setting at its default} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads {@code tether.pool.*} keys from {@code properties}; keys with other prefixes are ignored, so
   * system properties can be passed whole. Unknown {@code tether.pool.*} keys are errors that suggest
   * the nearest known key.
   *
   * @param properties properties to read; other keys are ignored
   * @return the configuration
   * @throws ConfigException for an unknown key or a bad value
   */
  public static PoolConfig fromProperties(Properties properties) {
    Builder builder = builder();
    PropertyTable.apply(builder, properties);
    return builder.build();
  }

  /**
   * Reads a {@code .properties} file of {@code tether.pool.*} keys.
   *
   * @param file a {@code .properties} file
   * @return the configuration
   * @throws ConfigException naming the file as well as the key, for an unknown key or a bad value
   * @throws java.io.UncheckedIOException if the file cannot be read
   */
  public static PoolConfig fromFile(java.nio.file.Path file) {
    Builder builder = builder();
    PropertyTable.apply(builder, PropertyTable.read(file), file.toString());
    return builder.build();
  }

  /**
   * Reads {@code tether.pool.*} JVM system properties ({@code -Dtether.pool.evict-after=9m}).
   *
   * @return the configuration
   */
  public static PoolConfig fromSystemProperties() {
    Builder builder = builder();
    PropertyTable.apply(builder, System.getProperties(), "system properties");
    return builder.build();
  }

  /**
   * The usual layering: defaults, then {@code file} if not null, then JVM system properties, each
   * overriding the one before.
   *
   * @param file a {@code .properties} file
   * @return the configuration
   */
  public static PoolConfig load(java.nio.file.Path file) {
    Builder builder = builder();
    if (file != null) {
      PropertyTable.apply(builder, PropertyTable.read(file), file.toString());
    }
    PropertyTable.apply(builder, System.getProperties(), "system properties");
    return builder.build();
  }

  /** {@return a builder holding this configuration's values, to derive a modified copy} */
  public Builder toBuilder() {
    return b.copy();
  }

  /**
   * {@return the settings as {@code tether.pool.*} properties; {@code fromProperties} of it gives an equal
   * config}
   */
  public Properties toProperties() {
    return PropertyTable.write(this);
  }

  /** {@return name used in metrics tags, logs and exceptions} Key {@code name}; default {@code tether}. */
  public String name() {
    return b.name;
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
    return b.maxConnections;
  }

  /** {@return limit per server} Key {@code max-connections-per-server}; default {@link #maxConnections()}. */
  public int maxConnectionsPerServer() {
    return b.maxConnectionsPerServer == 0 ? b.maxConnections : b.maxConnectionsPerServer;
  }

  /** {@return bound on acquires waiting for a connection} Key {@code max-pending-acquires}; default 1000. */
  public int maxPendingAcquires() {
    return b.maxPendingAcquires;
  }

  /** {@return how long an acquire may wait, connect included} Key {@code acquire-timeout}; default 10s. */
  public Duration acquireTimeout() {
    return b.acquireTimeout;
  }

  /** {@return limit on opening one connection} Key {@code connect-timeout}; default 5s. */
  public Duration connectTimeout() {
    return b.connectTimeout;
  }

  /** {@return which idle connection is reused first} Key {@code reuse-order}; default {@code lifo}. */
  public ReuseOrder reuseOrder() {
    return b.reuseOrder;
  }

  /** {@return how a new connection picks its server} Key {@code balance}; default {@code leastconn}. */
  public Balance balance() {
    return b.balance;
  }

  /**
   * The load balancer's idle timeout that connections must not reach. Key {@code lb-idle-timeout};
   * default 50s (Debian's {@code timeout client 50000}).
   *
   * @return the balancer's idle timeout
   */
  public Duration lbIdleTimeout() {
    return lbIdleTimeout;
  }

  /**
   * {@return fraction of {@link #lbIdleTimeout()} at which to evict} Key {@code evict-ratio}; default 0.9.
   */
  public double evictRatio() {
    return b.evictRatio;
  }

  /**
   * Idle time (since the last byte in or out) after which a connection is closed, before jitter. Key
   * {@code evict-after}; default {@code evict-ratio} times {@code lb-idle-timeout}.
   *
   * @return the idle time after which a connection is closed, before jitter
   */
  public Duration evictAfter() {
    return evictAfter;
  }

  /**
   * Largest fraction by which each connection's idle deadline and lifetime are moved earlier, drawn
   * uniformly per connection; never later. Key {@code jitter}; default 0.05 (5%).
   *
   * @return the largest fraction by which deadlines move earlier
   */
  public double jitter() {
    return b.jitter;
  }

  /**
   * Maximum age of a connection, jittered like the idle deadline; zero means unlimited. A leased
   * connection past it is closed when released. Key {@code max-lifetime}; default 0.
   *
   * @return the maximum connection age, or zero for unlimited
   */
  public Duration maxLifetime() {
    return b.maxLifetime;
  }

  /**
   * A connection closer than this to its idle deadline is evicted instead of handed out. Key {@code
   * handout-margin}; default the smaller of 500ms and 5% of {@code evict-after}.
   *
   * @return how close to its idle deadline a connection may be and still be handed out
   */
  public Duration handoutMargin() {
    return handoutMargin;
  }

  /**
   * {@return how long closing the pool waits for leased connections} Key {@code close-timeout}; default
   * 5s.
   */
  public Duration closeTimeout() {
    return b.closeTimeout;
  }

  /**
   * How long a leased connection may wait for the first byte of a response after a write before it is
   * closed as broken with a {@link ResponseTimeoutException}; zero turns it off. Bounds the hang when a
   * server dies silently behind a balancer that keeps the session open. Key {@code response-timeout};
   * default 0 (off; the HTTP client applies its own 30s when this is off).
   *
   * @return the response timeout, or zero for off
   */
  public Duration responseTimeout() {
    return b.responseTimeout;
  }

  /**
   * A lease held longer than this is reported once as a suspected leak, with the stack of the code that
   * acquired it (a WARN log and {@code tether.pool.leaks}); zero turns detection off, and with it the
   * stack capture each acquire then costs. Key {@code leak-detection-threshold}; default 0 (off).
   *
   * @return the leak threshold, or zero for off
   */
  public Duration leakDetectionThreshold() {
    return b.leakDetectionThreshold;
  }

  /** {@return active health checks; see {@link HealthCheck} for each {@code check.*} key} */
  public HealthCheck healthCheck() {
    return healthCheck;
  }

  /**
   * {@return what marking a server down does to its connections} Key {@code on-marked-down}; default
   * shutdown-sessions.
   */
  public OnMarkedDown onMarkedDown() {
    return b.onMarkedDown;
  }

  /**
   * Whether connect failures and resets of leased connections count against a server, as HAProxy's
   * {@code observe layer4}; {@link #errorLimit()} of them in a row mark it down (health checks bring it
   * back). Needs {@code check}. Key {@code observe} ({@code layer4} or {@code none}); default layer4.
   *
   * @return whether errors on leased connections count against a server
   */
  public boolean observe() {
    return b.observe;
  }

  /** {@return consecutive observed errors that mark a server down} Key {@code error-limit}; default 10. */
  public int errorLimit() {
    return b.errorLimit;
  }

  /**
   * Whether a failed connect is retried on another server, as HAProxy's {@code option redispatch}. Key
   * {@code redispatch}; default true.
   *
   * @return whether a failed connect is retried on another server
   */
  public boolean redispatch() {
    return b.redispatch;
  }

  /** {@return connect attempts after the first that an acquire may make} Key {@code retries}; default 2. */
  public int retries() {
    return b.retries;
  }

  /**
   * {@return most affinity keys remembered; beyond it the least recently used are forgotten} Key {@code
   * affinity.max-keys}; default 10000.
   */
  public int affinityMaxKeys() {
    return b.affinityMaxKeys;
  }

  /** {@return a key unused this long is forgotten} Key {@code affinity.idle-timeout}; default 10m. */
  public Duration affinityIdleTimeout() {
    return b.affinityIdleTimeout;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PoolConfig other && toProperties().equals(other.toProperties());
  }

  @Override
  public int hashCode() {
    return toProperties().hashCode();
  }

  @Override
  public String toString() {
    return "PoolConfig" + new java.util.TreeMap<>(toProperties());
  }

  /**
   * Collects settings; each method validates its argument at once and names its property key in the
   * error. {@link #build()} checks the settings against each other. Not thread-safe.
   */
  public static final class Builder {
    private String name = "tether";
    private final Map<String, Endpoint> servers = new LinkedHashMap<>();
    private int maxConnections = 64;
    private int maxConnectionsPerServer = 0;
    private int maxPendingAcquires = 1000;
    private Duration acquireTimeout = Duration.ofSeconds(10);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private ReuseOrder reuseOrder = ReuseOrder.LIFO;
    private Balance balance = Balance.LEASTCONN;
    private Duration lbIdleTimeout;
    private double evictRatio = 0.9;
    private Duration evictAfter;
    private double jitter = 0.05;
    private Duration maxLifetime = Duration.ZERO;
    private Duration handoutMargin;
    private Duration closeTimeout = Duration.ofSeconds(5);
    private Duration responseTimeout = Duration.ZERO;
    private Duration leakDetectionThreshold = Duration.ZERO;
    private boolean check;
    private Duration checkInter = Duration.ofSeconds(2);
    private Duration checkFastinter;
    private Duration checkDowninter;
    private int checkFall = 3;
    private int checkRise = 2;
    private Duration checkTimeout;
    private HealthCheck.Type checkType = HealthCheck.Type.TCP;
    private String checkHttpMethod = "GET";
    private String checkHttpPath = "/";
    private int checkHttpExpectStatus = 200;
    private OnMarkedDown onMarkedDown = OnMarkedDown.SHUTDOWN_SESSIONS;
    private boolean observe = true;
    private int errorLimit = 10;
    private boolean redispatch = true;
    private int retries = 2;
    private int affinityMaxKeys = 10_000;
    private Duration affinityIdleTimeout = Duration.ofMinutes(10);

    private Builder() {}

    private Builder copy() {
      Builder c = new Builder();
      c.name = name;
      c.servers.putAll(servers);
      c.maxConnections = maxConnections;
      c.maxConnectionsPerServer = maxConnectionsPerServer;
      c.maxPendingAcquires = maxPendingAcquires;
      c.acquireTimeout = acquireTimeout;
      c.connectTimeout = connectTimeout;
      c.reuseOrder = reuseOrder;
      c.balance = balance;
      c.lbIdleTimeout = lbIdleTimeout;
      c.evictRatio = evictRatio;
      c.evictAfter = evictAfter;
      c.jitter = jitter;
      c.maxLifetime = maxLifetime;
      c.handoutMargin = handoutMargin;
      c.closeTimeout = closeTimeout;
      c.responseTimeout = responseTimeout;
      c.leakDetectionThreshold = leakDetectionThreshold;
      c.check = check;
      c.checkInter = checkInter;
      c.checkFastinter = checkFastinter;
      c.checkDowninter = checkDowninter;
      c.checkFall = checkFall;
      c.checkRise = checkRise;
      c.checkTimeout = checkTimeout;
      c.checkType = checkType;
      c.checkHttpMethod = checkHttpMethod;
      c.checkHttpPath = checkHttpPath;
      c.checkHttpExpectStatus = checkHttpExpectStatus;
      c.onMarkedDown = onMarkedDown;
      c.observe = observe;
      c.errorLimit = errorLimit;
      c.redispatch = redispatch;
      c.retries = retries;
      c.affinityMaxKeys = affinityMaxKeys;
      c.affinityIdleTimeout = affinityIdleTimeout;
      return c;
    }

    /**
     * See {@link PoolConfig#name()}; letters, digits, '.', '_' or '-'.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder name(String value) {
      if (value == null || value.isBlank() || !value.matches("[A-Za-z0-9._-]+")) {
        throw new ConfigException(PREFIX + "name", String.valueOf(value), "letters, digits, '.', '_' or '-'");
      }
      this.name = value;
      return this;
    }

    /**
     * Adds a server; see {@link PoolConfig#servers()}. A second server with the same name replaces it.
     *
     * @param endpoint the server
     * @return this builder
     */
    public Builder server(Endpoint endpoint) {
      servers.put(endpoint.name(), endpoint);
      return this;
    }

    /**
     * Adds a server of weight 1.
     *
     * @param serverName the server's name, used in metrics tags and logs
     * @param host a host name or IP address
     * @param port the TCP port
     * @return this builder
     */
    public Builder server(String serverName, String host, int port) {
      return server(Endpoint.of(serverName, host, port));
    }

    /**
     * Replaces the server list.
     *
     * @param endpoints the servers
     * @return this builder
     */
    public Builder servers(List<Endpoint> endpoints) {
      servers.clear();
      new ArrayList<>(endpoints).forEach(this::server);
      return this;
    }

    /**
     * See {@link PoolConfig#maxConnections()}; 1-65536.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder maxConnections(int value) {
      this.maxConnections = Ranges.check("max-connections", value, 1, 65536);
      return this;
    }

    /**
     * See {@link PoolConfig#maxConnectionsPerServer()}; 1-65536.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder maxConnectionsPerServer(int value) {
      this.maxConnectionsPerServer = Ranges.check("max-connections-per-server", value, 1, 65536);
      return this;
    }

    /**
     * See {@link PoolConfig#maxPendingAcquires()}; 0 (never wait) to 1,000,000.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder maxPendingAcquires(int value) {
      this.maxPendingAcquires = Ranges.check("max-pending-acquires", value, 0, 1_000_000);
      return this;
    }

    /**
     * See {@link PoolConfig#acquireTimeout()}; 1ms to 1d.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder acquireTimeout(Duration value) {
      this.acquireTimeout = Ranges.check("acquire-timeout", value, Duration.ofMillis(1), Duration.ofDays(1));
      return this;
    }

    /**
     * See {@link PoolConfig#connectTimeout()}; 1ms to 10m.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder connectTimeout(Duration value) {
      this.connectTimeout = Ranges.check("connect-timeout", value, Duration.ofMillis(1), Duration.ofMinutes(10));
      return this;
    }

    /**
     * See {@link PoolConfig#reuseOrder()}.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder reuseOrder(ReuseOrder value) {
      this.reuseOrder = notNull("reuse-order", value, "lifo or fifo");
      return this;
    }

    /**
     * See {@link PoolConfig#balance()}.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder balance(Balance value) {
      this.balance = notNull("balance", value, "leastconn or roundrobin");
      return this;
    }

    /**
     * See {@link PoolConfig#lbIdleTimeout()}; 10ms to 24d (HAProxy's largest timeout).
     *
     * @param value the new value
     * @return this builder
     */
    public Builder lbIdleTimeout(Duration value) {
      this.lbIdleTimeout = Ranges.check("lb-idle-timeout", value, Duration.ofMillis(10), Duration.ofDays(24));
      return this;
    }

    /**
     * Sets {@code lb-idle-timeout} from {@code haproxy.cfg}: the idle timeout a client of frontend or
     * listen section {@code section} meets there (see {@link
     * io.tether.pool.haproxy.HaproxyConfig#idleTimeout}), so eviction follows the balancer's own
     * configuration at {@code evict-ratio} of it.
     *
     * @param cfg path of the haproxy.cfg
     * @param section the frontend, backend or listen section the client talks to
     * @return this builder
     * @throws io.tether.pool.haproxy.HaproxyConfigException naming file, line and section
     */
    public Builder haproxy(java.nio.file.Path cfg, String section) {
      return lbIdleTimeout(io.tether.pool.haproxy.HaproxyConfig.parse(cfg).idleTimeout(section));
    }

    /**
     * See {@link PoolConfig#evictRatio()}; above 0 and below 1.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder evictRatio(double value) {
      if (!(value > 0 && value < 1)) {
        throw new ConfigException(PREFIX + "evict-ratio", Double.toString(value), "above 0 and below 1");
      }
      this.evictRatio = value;
      return this;
    }

    /**
     * See {@link PoolConfig#evictAfter()}; 10ms to 24d, and below {@code lb-idle-timeout} if that is set.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder evictAfter(Duration value) {
      this.evictAfter = Ranges.check("evict-after", value, Duration.ofMillis(10), Duration.ofDays(24));
      return this;
    }

    /**
     * See {@link PoolConfig#jitter()}; 0 (off) to 0.5.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder jitter(double value) {
      if (!(value >= 0 && value <= 0.5)) {
        throw new ConfigException(PREFIX + "jitter", Double.toString(value), "0 to 0.5 (or 0% to 50%)");
      }
      this.jitter = value;
      return this;
    }

    /**
     * See {@link PoolConfig#maxLifetime()}; 0 (unlimited) or 1s to 24d.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder maxLifetime(Duration value) {
      this.maxLifetime = zeroOr("max-lifetime", value, Duration.ofSeconds(1), Duration.ofDays(24));
      return this;
    }

    /**
     * See {@link PoolConfig#handoutMargin()}; 0 to 1m, and below the shortest jittered idle time.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder handoutMargin(Duration value) {
      this.handoutMargin = Ranges.check("handout-margin", value, Duration.ZERO, Duration.ofMinutes(1));
      return this;
    }

    /**
     * See {@link PoolConfig#closeTimeout()}; 0 to 10m.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder closeTimeout(Duration value) {
      this.closeTimeout = Ranges.check("close-timeout", value, Duration.ZERO, Duration.ofMinutes(10));
      return this;
    }

    /**
     * See {@link PoolConfig#responseTimeout()}; 0 (off) or 1ms to 1h.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder responseTimeout(Duration value) {
      this.responseTimeout = zeroOr("response-timeout", value, Duration.ofMillis(1), Duration.ofHours(1));
      return this;
    }

    /**
     * See {@link PoolConfig#leakDetectionThreshold()}; 0 (off) or 100ms to 1d.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder leakDetectionThreshold(Duration value) {
      this.leakDetectionThreshold =
          zeroOr("leak-detection-threshold", value, Duration.ofMillis(100), Duration.ofDays(1));
      return this;
    }

    /**
     * Turns active health checks on or off; see {@link HealthCheck#enabled()}.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder check(boolean value) {
      this.check = value;
      return this;
    }

    /**
     * See {@link HealthCheck#inter()}; 10ms to 1h.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder checkInter(Duration value) {
      this.checkInter = Ranges.check("check.inter", value, Duration.ofMillis(10), Duration.ofHours(1));
      return this;
    }

    /**
     * See {@link HealthCheck#fastinter()}; 10ms to 1h.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder checkFastinter(Duration value) {
      this.checkFastinter = Ranges.check("check.fastinter", value, Duration.ofMillis(10), Duration.ofHours(1));
      return this;
    }

    /**
     * See {@link HealthCheck#downinter()}; 10ms to 1h.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder checkDowninter(Duration value) {
      this.checkDowninter = Ranges.check("check.downinter", value, Duration.ofMillis(10), Duration.ofHours(1));
      return this;
    }

    /**
     * See {@link HealthCheck#fall()}; 1-100.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder checkFall(int value) {
      this.checkFall = Ranges.check("check.fall", value, 1, 100);
      return this;
    }

    /**
     * See {@link HealthCheck#rise()}; 1-100.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder checkRise(int value) {
      this.checkRise = Ranges.check("check.rise", value, 1, 100);
      return this;
    }

    /**
     * See {@link HealthCheck#timeout()}; 1ms to 1m.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder checkTimeout(Duration value) {
      this.checkTimeout = Ranges.check("check.timeout", value, Duration.ofMillis(1), Duration.ofMinutes(1));
      return this;
    }

    /**
     * See {@link HealthCheck#type()}.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder checkType(HealthCheck.Type value) {
      this.checkType = notNull("check.type", value, "tcp or http");
      return this;
    }

    /**
     * See {@link HealthCheck#httpMethod()}; an HTTP token such as GET, HEAD or OPTIONS.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder checkHttpMethod(String value) {
      if (value == null || !value.matches("[A-Z]+")) {
        throw new ConfigException(PREFIX + "check.http-method", String.valueOf(value), "an upper-case HTTP method such as GET");
      }
      this.checkHttpMethod = value;
      return this;
    }

    /**
     * See {@link HealthCheck#httpPath()}; starts with '/'.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder checkHttpPath(String value) {
      if (value == null || !value.startsWith("/") || value.chars().anyMatch(Character::isWhitespace)) {
        throw new ConfigException(PREFIX + "check.http-path", String.valueOf(value), "a path starting with / and without spaces");
      }
      this.checkHttpPath = value;
      return this;
    }

    /**
     * See {@link HealthCheck#httpExpectStatus()}; 100-599.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder checkHttpExpectStatus(int value) {
      this.checkHttpExpectStatus = Ranges.check("check.http-expect-status", value, 100, 599);
      return this;
    }

    /**
     * See {@link PoolConfig#onMarkedDown()}.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder onMarkedDown(OnMarkedDown value) {
      this.onMarkedDown = notNull("on-marked-down", value, "shutdown-sessions, drain or none");
      return this;
    }

    /**
     * See {@link PoolConfig#observe()}.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder observe(boolean value) {
      this.observe = value;
      return this;
    }

    /**
     * See {@link PoolConfig#errorLimit()}; 1-1000.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder errorLimit(int value) {
      this.errorLimit = Ranges.check("error-limit", value, 1, 1000);
      return this;
    }

    /**
     * See {@link PoolConfig#redispatch()}.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder redispatch(boolean value) {
      this.redispatch = value;
      return this;
    }

    /**
     * See {@link PoolConfig#retries()}; 0-10.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder retries(int value) {
      this.retries = Ranges.check("retries", value, 0, 10);
      return this;
    }

    /**
     * See {@link PoolConfig#affinityMaxKeys()}; 1-10,000,000.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder affinityMaxKeys(int value) {
      this.affinityMaxKeys = Ranges.check("affinity.max-keys", value, 1, 10_000_000);
      return this;
    }

    /**
     * See {@link PoolConfig#affinityIdleTimeout()}; 1s to 1d.
     *
     * @param value the new value
     * @return this builder
     */
    public Builder affinityIdleTimeout(Duration value) {
      this.affinityIdleTimeout = Ranges.check("affinity.idle-timeout", value, Duration.ofSeconds(1), Duration.ofDays(1));
      return this;
    }

    /**
     * Checks the settings against each other and returns the immutable configuration.
     *
     * @return the configuration
     * @throws ConfigException if {@code evict-after} is not below {@code lb-idle-timeout}, the
     *     per-server limit exceeds the total, or the hand-out margin leaves no idle time
     */
    public PoolConfig build() {
      return new PoolConfig(this);
    }
  }
}
