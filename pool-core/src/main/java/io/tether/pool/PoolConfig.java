package io.tether.pool;

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
 * method has exactly one property key, named in its documentation.
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

  private final String name;
  private final List<Endpoint> servers;
  private final int maxConnections;
  private final int maxConnectionsPerServer;
  private final int maxPendingAcquires;
  private final Duration acquireTimeout;
  private final Duration connectTimeout;
  private final ReuseOrder reuseOrder;
  private final Balance balance;
  private final Duration lbIdleTimeout;
  private final boolean lbIdleTimeoutSet;
  private final double evictRatio;
  private final Duration evictAfter;
  private final boolean evictAfterSet;
  private final double jitter;
  private final Duration maxLifetime;
  private final Duration handoutMargin;
  private final boolean handoutMarginSet;
  private final Duration closeTimeout;
  private final Duration responseTimeout;

  private PoolConfig(Builder b) {
    this.name = b.name;
    this.servers = List.copyOf(b.servers.values());
    this.maxConnections = b.maxConnections;
    this.maxConnectionsPerServer =
        b.maxConnectionsPerServer == 0 ? b.maxConnections : b.maxConnectionsPerServer;
    this.maxPendingAcquires = b.maxPendingAcquires;
    this.acquireTimeout = b.acquireTimeout;
    this.connectTimeout = b.connectTimeout;
    this.reuseOrder = b.reuseOrder;
    this.balance = b.balance;
    this.lbIdleTimeoutSet = b.lbIdleTimeout != null;
    this.lbIdleTimeout = lbIdleTimeoutSet ? b.lbIdleTimeout : DEFAULT_LB_IDLE_TIMEOUT;
    this.evictRatio = b.evictRatio;
    this.evictAfterSet = b.evictAfter != null;
    this.evictAfter =
        evictAfterSet
            ? b.evictAfter
            : Duration.ofNanos(Math.round(lbIdleTimeout.toNanos() * evictRatio));
    this.jitter = b.jitter;
    this.maxLifetime = b.maxLifetime;
    this.handoutMarginSet = b.handoutMargin != null;
    this.handoutMargin = handoutMarginSet ? b.handoutMargin : defaultMargin(evictAfter);
    this.closeTimeout = b.closeTimeout;
    this.responseTimeout = b.responseTimeout;
    crossCheck();
  }

  private static Duration defaultMargin(Duration evictAfter) {
    Duration fivePercent = evictAfter.dividedBy(20);
    return fivePercent.compareTo(MAX_HANDOUT_MARGIN) < 0 ? fivePercent : MAX_HANDOUT_MARGIN;
  }

  private void crossCheck() {
    if (lbIdleTimeoutSet && evictAfterSet && evictAfter.compareTo(lbIdleTimeout) >= 0) {
      throw new ConfigException(
          PREFIX + "evict-after",
          DurationSyntax.format(evictAfter),
          "below " + PREFIX + "lb-idle-timeout " + DurationSyntax.format(lbIdleTimeout));
    }
    if (maxConnectionsPerServer > maxConnections) {
      throw new ConfigException(
          PREFIX + "max-connections-per-server",
          Integer.toString(maxConnectionsPerServer),
          "at most " + PREFIX + "max-connections " + maxConnections);
    }
    Duration shortestIdle = Duration.ofNanos(Math.round(evictAfter.toNanos() * (1 - jitter)));
    if (handoutMargin.compareTo(shortestIdle) >= 0) {
      throw new ConfigException(
          PREFIX + "handout-margin",
          DurationSyntax.format(handoutMargin),
          "below the shortest jittered idle time "
              + DurationSyntax.format(shortestIdle)
              + " (evict-after "
              + DurationSyntax.format(evictAfter)
              + " less jitter "
              + jitter
              + ")");
    }
  }

  /** A builder with every setting at its default. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads {@code tether.pool.*} keys from {@code properties}; keys with other prefixes are ignored, so
   * system properties can be passed whole. Unknown {@code tether.pool.*} keys are errors that suggest
   * the nearest known key.
   *
   * @throws ConfigException for an unknown key or a bad value
   */
  public static PoolConfig fromProperties(Properties properties) {
    Builder b = builder();
    PropertyTable.apply(b, properties);
    return b.build();
  }

  /** A builder holding this configuration's values, to derive a modified copy. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    servers.forEach(b::server);
    b.maxConnections = maxConnections;
    b.maxConnectionsPerServer = maxConnectionsPerServer;
    b.maxPendingAcquires = maxPendingAcquires;
    b.acquireTimeout = acquireTimeout;
    b.connectTimeout = connectTimeout;
    b.reuseOrder = reuseOrder;
    b.balance = balance;
    b.lbIdleTimeout = lbIdleTimeoutSet ? lbIdleTimeout : null;
    b.evictRatio = evictRatio;
    b.evictAfter = evictAfterSet ? evictAfter : null;
    b.jitter = jitter;
    b.maxLifetime = maxLifetime;
    b.handoutMargin = handoutMarginSet ? handoutMargin : null;
    b.closeTimeout = closeTimeout;
    b.responseTimeout = responseTimeout;
    return b;
  }

  /** The settings as {@code tether.pool.*} properties; {@code fromProperties} of it gives an equal config. */
  public Properties toProperties() {
    return PropertyTable.write(this);
  }

  /** Name used in metrics tags, logs and exceptions. Key {@code name}; default {@code tether}. */
  public String name() {
    return name;
  }

  /** The servers, in configuration order. Keys {@code server.<name>}; default none. */
  public List<Endpoint> servers() {
    return servers;
  }

  /** Limit on open plus connecting connections across all servers. Key {@code max-connections}. */
  public int maxConnections() {
    return maxConnections;
  }

  /** Limit per server. Key {@code max-connections-per-server}; default {@link #maxConnections()}. */
  public int maxConnectionsPerServer() {
    return maxConnectionsPerServer;
  }

  /** Bound on acquires waiting for a connection. Key {@code max-pending-acquires}; default 1000. */
  public int maxPendingAcquires() {
    return maxPendingAcquires;
  }

  /** How long an acquire may wait, connect included. Key {@code acquire-timeout}; default 10s. */
  public Duration acquireTimeout() {
    return acquireTimeout;
  }

  /** Limit on opening one connection. Key {@code connect-timeout}; default 5s. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** Which idle connection is reused first. Key {@code reuse-order}; default {@code lifo}. */
  public ReuseOrder reuseOrder() {
    return reuseOrder;
  }

  /** How a new connection picks its server. Key {@code balance}; default {@code leastconn}. */
  public Balance balance() {
    return balance;
  }

  /**
   * The load balancer's idle timeout that connections must not reach. Key {@code lb-idle-timeout};
   * default 50s (Debian's {@code timeout client 50000}).
   */
  public Duration lbIdleTimeout() {
    return lbIdleTimeout;
  }

  /** Fraction of {@link #lbIdleTimeout()} at which to evict. Key {@code evict-ratio}; default 0.9. */
  public double evictRatio() {
    return evictRatio;
  }

  /**
   * Idle time after which a connection is closed, before jitter. Key {@code evict-after}; default
   * {@code evict-ratio} times {@code lb-idle-timeout}.
   */
  public Duration evictAfter() {
    return evictAfter;
  }

  /**
   * Largest fraction by which each connection's idle deadline and lifetime are moved earlier, drawn
   * uniformly per connection; never later. Key {@code jitter}; default 0.05 (5%).
   */
  public double jitter() {
    return jitter;
  }

  /**
   * Maximum age of a connection, jittered like the idle deadline; zero means unlimited. A leased
   * connection past it is closed when released. Key {@code max-lifetime}; default 0.
   */
  public Duration maxLifetime() {
    return maxLifetime;
  }

  /**
   * A connection closer than this to its idle deadline is evicted instead of handed out. Key {@code
   * handout-margin}; default the smaller of 500ms and 5% of {@code evict-after}.
   */
  public Duration handoutMargin() {
    return handoutMargin;
  }

  /** How long closing the pool waits for leased connections. Key {@code close-timeout}; default 5s. */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  /**
   * How long a leased connection may wait for the first byte of a response after a write before it is
   * closed as broken with a {@link ResponseTimeoutException}; zero turns it off. Bounds the hang when a
   * server dies silently behind a balancer that keeps the session open. Key {@code response-timeout};
   * default 0 (off; the HTTP client applies its own 30s when this is off).
   */
  public Duration responseTimeout() {
    return responseTimeout;
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
   * Collects settings; each method validates its argument at once. {@link #build()} checks the
   * settings against each other. Not thread-safe.
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

    private Builder() {}

    /** See {@link PoolConfig#name()}. */
    public Builder name(String value) {
      if (value == null || value.isBlank() || !value.matches("[A-Za-z0-9._-]+")) {
        throw new ConfigException(
            PREFIX + "name", String.valueOf(value), "letters, digits, '.', '_' or '-'");
      }
      this.name = value;
      return this;
    }

    /** Adds a server; see {@link PoolConfig#servers()}. A second server with the same name replaces it. */
    public Builder server(Endpoint endpoint) {
      servers.put(endpoint.name(), endpoint);
      return this;
    }

    /** Adds a server of weight 1. */
    public Builder server(String serverName, String host, int port) {
      return server(Endpoint.of(serverName, host, port));
    }

    /** Replaces the server list. */
    public Builder servers(List<Endpoint> endpoints) {
      servers.clear();
      new ArrayList<>(endpoints).forEach(this::server);
      return this;
    }

    /** See {@link PoolConfig#maxConnections()}; 1-65536. */
    public Builder maxConnections(int value) {
      this.maxConnections = checkRange("max-connections", value, 1, 65536);
      return this;
    }

    /** See {@link PoolConfig#maxConnectionsPerServer()}; 1-65536. */
    public Builder maxConnectionsPerServer(int value) {
      this.maxConnectionsPerServer = checkRange("max-connections-per-server", value, 1, 65536);
      return this;
    }

    /** See {@link PoolConfig#maxPendingAcquires()}; 0 (never wait) to 1,000,000. */
    public Builder maxPendingAcquires(int value) {
      this.maxPendingAcquires = checkRange("max-pending-acquires", value, 0, 1_000_000);
      return this;
    }

    /** See {@link PoolConfig#acquireTimeout()}; 1ms to 1d. */
    public Builder acquireTimeout(Duration value) {
      this.acquireTimeout = checkRange("acquire-timeout", value, Duration.ofMillis(1), Duration.ofDays(1));
      return this;
    }

    /** See {@link PoolConfig#connectTimeout()}; 1ms to 10m. */
    public Builder connectTimeout(Duration value) {
      this.connectTimeout =
          checkRange("connect-timeout", value, Duration.ofMillis(1), Duration.ofMinutes(10));
      return this;
    }

    /** See {@link PoolConfig#reuseOrder()}. */
    public Builder reuseOrder(ReuseOrder value) {
      if (value == null) {
        throw new ConfigException(PREFIX + "reuse-order", "null", "lifo or fifo");
      }
      this.reuseOrder = value;
      return this;
    }

    /** See {@link PoolConfig#balance()}. */
    public Builder balance(Balance value) {
      if (value == null) {
        throw new ConfigException(PREFIX + "balance", "null", "leastconn or roundrobin");
      }
      this.balance = value;
      return this;
    }

    /** See {@link PoolConfig#lbIdleTimeout()}; 10ms to 24d (HAProxy's largest timeout). */
    public Builder lbIdleTimeout(Duration value) {
      this.lbIdleTimeout =
          checkRange("lb-idle-timeout", value, Duration.ofMillis(10), Duration.ofDays(24));
      return this;
    }

    /** See {@link PoolConfig#evictRatio()}; above 0 and below 1. */
    public Builder evictRatio(double value) {
      if (!(value > 0 && value < 1)) {
        throw new ConfigException(PREFIX + "evict-ratio", Double.toString(value), "above 0 and below 1");
      }
      this.evictRatio = value;
      return this;
    }

    /**
     * See {@link PoolConfig#evictAfter()}; 10ms to 24d, and below {@code lb-idle-timeout} if that is
     * set too.
     */
    public Builder evictAfter(Duration value) {
      this.evictAfter = checkRange("evict-after", value, Duration.ofMillis(10), Duration.ofDays(24));
      return this;
    }

    /** See {@link PoolConfig#jitter()}; 0 (off) to 0.5. */
    public Builder jitter(double value) {
      if (!(value >= 0 && value <= 0.5)) {
        throw new ConfigException(PREFIX + "jitter", Double.toString(value), "0 to 0.5 (or 0% to 50%)");
      }
      this.jitter = value;
      return this;
    }

    /** See {@link PoolConfig#maxLifetime()}; 0 (unlimited) or 1s to 24d. */
    public Builder maxLifetime(Duration value) {
      if (value != null && value.isZero()) {
        this.maxLifetime = Duration.ZERO;
        return this;
      }
      this.maxLifetime = checkRange("max-lifetime", value, Duration.ofSeconds(1), Duration.ofDays(24));
      return this;
    }

    /** See {@link PoolConfig#handoutMargin()}; 0 to 1m, and below the shortest jittered idle time. */
    public Builder handoutMargin(Duration value) {
      this.handoutMargin = checkRange("handout-margin", value, Duration.ZERO, Duration.ofMinutes(1));
      return this;
    }

    /** See {@link PoolConfig#closeTimeout()}; 0 to 10m. */
    public Builder closeTimeout(Duration value) {
      this.closeTimeout = checkRange("close-timeout", value, Duration.ZERO, Duration.ofMinutes(10));
      return this;
    }

    /** See {@link PoolConfig#responseTimeout()}; 0 (off) or 1ms to 1h. */
    public Builder responseTimeout(Duration value) {
      if (value != null && value.isZero()) {
        this.responseTimeout = Duration.ZERO;
        return this;
      }
      this.responseTimeout =
          checkRange("response-timeout", value, Duration.ofMillis(1), Duration.ofHours(1));
      return this;
    }

    /**
     * Checks the settings against each other and returns the immutable configuration.
     *
     * @throws ConfigException if {@code evict-after} is not below {@code lb-idle-timeout}, the
     *     per-server limit exceeds the total, or the hand-out margin leaves no idle time
     */
    public PoolConfig build() {
      return new PoolConfig(this);
    }

    private static int checkRange(String key, int value, int min, int max) {
      if (value < min || value > max) {
        throw new ConfigException(PREFIX + key, Integer.toString(value), min + "-" + max);
      }
      return value;
    }

    private static Duration checkRange(String key, Duration value, Duration min, Duration max) {
      if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
        throw new ConfigException(
            PREFIX + key,
            value == null ? "null" : DurationSyntax.format(value),
            DurationSyntax.format(min) + " to " + DurationSyntax.format(max));
      }
      return value;
    }
  }
}
