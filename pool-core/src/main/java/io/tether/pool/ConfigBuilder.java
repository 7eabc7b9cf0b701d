package io.tether.pool;

import io.tether.pool.internal.config.Key;
import io.tether.pool.internal.config.Keys;
import io.tether.pool.internal.config.PropertyReader;
import io.tether.pool.internal.config.Settings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * What {@link PoolConfig.Builder} collects and its setters, each validating its argument at once; users
 * know it only as {@code PoolConfig.Builder}, whose page lists these methods. Kept apart from {@link
 * PoolConfig} so that the settings' getters (what each key means) and their setters (how each is
 * given) each read in one sitting.
 */
abstract sealed class ConfigBuilder permits PoolConfig.Builder {
  final Settings settings = new Settings();
  final Map<String, Endpoint> servers = new LinkedHashMap<>();
  final Map<String, String> headers = new LinkedHashMap<>();

  ConfigBuilder() {}

  private <T> PoolConfig.Builder set(Key<T> key, T value) {
    settings.set(key, value);
    return self();
  }

  private PoolConfig.Builder self() {
    return (PoolConfig.Builder) this;
  }

  /**
   * Applies {@code tether.pool.*} entries of {@code props} over what is set already.
   *
   * @param props the properties; entries of other applications are ignored
   * @param source named in errors (a file, "system properties"), or null
   * @return this builder
   * @throws ConfigException for an unknown key or a bad value
   */
  public PoolConfig.Builder properties(Properties props, String source) {
    PropertyReader.read(props, source, new PropertyReader.Sink() {
      @Override
      public <T> void set(Key<T> key, T value) {
        settings.set(key, value);
      }

      @Override
      public void server(Endpoint endpoint) {
        ConfigBuilder.this.server(endpoint);
      }

      @Override
      public void header(String name, String value) {
        healthCheckHeader(name, value);
      }
    });
    return self();
  }

  private void healthCheckHeader(String name, String value) {
    HealthCheck.builder().httpHeader(name, value); // validates, naming the key
    headers.put(name, value);
  }

  /**
   * Hands this builder to {@code settings}, for settings that come from elsewhere: {@code
   * builder.apply(HaproxyConfig.read(cfg).frontend("api"))}.
   *
   * @param source sets values on this builder
   * @return this builder
   */
  public PoolConfig.Builder apply(Consumer<? super PoolConfig.Builder> source) {
    source.accept(self());
    return self();
  }

  /**
   * See {@link PoolConfig#name()}; 1-64 characters from {@code A-Z a-z 0-9 . _ -}.
   *
   * @param value the pool's name
   * @return this builder
   */
  public PoolConfig.Builder name(String value) {
    return set(Keys.NAME, value);
  }

  /**
   * Adds a server; see {@link PoolConfig#servers()}. A second server with the same name replaces it.
   *
   * @param endpoint the server
   * @return this builder
   */
  public PoolConfig.Builder server(Endpoint endpoint) {
    Objects.requireNonNull(endpoint, "endpoint");
    servers.put(endpoint.name(), endpoint);
    return self();
  }

  /**
   * Adds a server of weight 1.
   *
   * @param serverName the server's name, used in metrics tags and logs
   * @param host a host name or IP address
   * @param port the TCP port
   * @return this builder
   */
  public PoolConfig.Builder server(String serverName, String host, int port) {
    return server(Endpoint.of(serverName, host, port));
  }

  /**
   * Replaces the server list.
   *
   * @param endpoints the servers; names must be distinct
   * @return this builder
   * @throws IllegalArgumentException if two servers share a name
   */
  public PoolConfig.Builder servers(List<Endpoint> endpoints) {
    Map<String, Endpoint> next = new LinkedHashMap<>();
    for (Endpoint e : endpoints) {
      if (next.put(e.name(), e) != null) {
        throw new IllegalArgumentException("two servers are named " + e.name());
      }
    }
    servers.clear();
    servers.putAll(next);
    return self();
  }

  /**
   * See {@link PoolConfig#maxConnections()}; 1 to 2147483647.
   *
   * @param value the limit
   * @return this builder
   */
  public PoolConfig.Builder maxConnections(int value) {
    return set(Keys.MAX_CONNECTIONS, value);
  }

  /**
   * See {@link PoolConfig#maxConnectionsPerServer()}; 1 to 2147483647, at most {@code max-connections}.
   *
   * @param value the limit
   * @return this builder
   */
  public PoolConfig.Builder maxConnectionsPerServer(int value) {
    return set(Keys.MAX_CONNECTIONS_PER_SERVER, value);
  }

  /**
   * See {@link PoolConfig#maxPendingAcquires()}; 0 (never wait for a release) to 2147483647.
   *
   * @param value the bound
   * @return this builder
   */
  public PoolConfig.Builder maxPendingAcquires(int value) {
    return set(Keys.MAX_PENDING_ACQUIRES, value);
  }

  /**
   * See {@link PoolConfig#acquireTimeout()}; 0 to 24d, or {@link PoolConfig#NO_LIMIT}.
   *
   * @param value the timeout
   * @return this builder
   */
  public PoolConfig.Builder acquireTimeout(Duration value) {
    return set(Keys.ACQUIRE_TIMEOUT, value);
  }

  /**
   * See {@link PoolConfig#acquireTimeoutIncludesConnect()}.
   *
   * @param value whether the acquire timeout bounds the connect too
   * @return this builder
   */
  public PoolConfig.Builder acquireTimeoutIncludesConnect(boolean value) {
    return set(Keys.ACQUIRE_TIMEOUT_INCLUDES_CONNECT, value);
  }

  /**
   * See {@link PoolConfig#onAcquireTimeout()}.
   *
   * @param value what a timed-out acquire does
   * @return this builder
   */
  public PoolConfig.Builder onAcquireTimeout(OnAcquireTimeout value) {
    return set(Keys.ON_ACQUIRE_TIMEOUT, value);
  }

  /**
   * See {@link PoolConfig#connectTimeout()}; 0 (the transport's) or 1ms to 10m.
   *
   * @param value the timeout
   * @return this builder
   */
  public PoolConfig.Builder connectTimeout(Duration value) {
    return set(Keys.CONNECT_TIMEOUT, value);
  }

  /**
   * See {@link PoolConfig#minIdle()}; 0 to {@code max-connections-per-server}.
   *
   * @param value idle connections kept per server
   * @return this builder
   */
  public PoolConfig.Builder minIdle(int value) {
    return set(Keys.MIN_IDLE, value);
  }

  /**
   * See {@link PoolConfig#slowStart()}; 0 (off) or 100ms to 1h.
   *
   * @param value the ramp
   * @return this builder
   */
  public PoolConfig.Builder slowStart(Duration value) {
    return set(Keys.SLOW_START, value);
  }

  /**
   * See {@link PoolConfig#rebalance()}.
   *
   * @param value whether to rebalance
   * @return this builder
   */
  public PoolConfig.Builder rebalance(boolean value) {
    return set(Keys.REBALANCE, value);
  }

  /**
   * See {@link PoolConfig#reuseOrder()}.
   *
   * @param value the order
   * @return this builder
   */
  public PoolConfig.Builder reuseOrder(ReuseOrder value) {
    return set(Keys.REUSE_ORDER, value);
  }

  /**
   * See {@link PoolConfig#balance()}.
   *
   * @param value the algorithm
   * @return this builder
   */
  public PoolConfig.Builder balance(Balance value) {
    return set(Keys.BALANCE, value);
  }

  /**
   * Sets every eviction setting that {@code value} was given explicitly; see {@link Eviction}. Settings
   * it leaves at their defaults keep what this builder has.
   *
   * @param value the eviction settings
   * @return this builder
   */
  public PoolConfig.Builder eviction(Eviction value) {
    settings.mergeGroup(Key.Group.EVICTION, value.settings());
    return self();
  }

  /**
   * Sets the one eviction setting most pools need, the balancer's idle timeout; see {@link
   * Eviction#lbIdleTimeout()}. The same key as {@code Eviction.Builder.lbIdleTimeout}.
   *
   * @param value the balancer's idle timeout, 10ms to 24d
   * @return this builder
   */
  public PoolConfig.Builder lbIdleTimeout(Duration value) {
    return set(Keys.LB_IDLE_TIMEOUT, value);
  }

  /**
   * Sets every discovery setting that {@code value} was given explicitly; see {@link Discovery}.
   * Settings it leaves at their defaults keep what this builder has.
   *
   * @param value the discovery settings
   * @return this builder
   */
  public PoolConfig.Builder discovery(Discovery value) {
    settings.mergeGroup(Key.Group.DISCOVERY, value.settings());
    return self();
  }

  /**
   * Sets every health-check setting that {@code value} was given explicitly, and its headers; see
   * {@link HealthCheck}. Settings it leaves at their defaults keep what this builder has.
   *
   * @param value the check settings
   * @return this builder
   */
  public PoolConfig.Builder healthCheck(HealthCheck value) {
    settings.mergeGroup(Key.Group.CHECK, value.settings());
    headers.putAll(value.httpHeaders());
    return self();
  }

  /**
   * See {@link PoolConfig#closeTimeout()}; 0 to 10m, or {@link PoolConfig#NO_LIMIT}.
   *
   * @param value the timeout
   * @return this builder
   */
  public PoolConfig.Builder closeTimeout(Duration value) {
    return set(Keys.CLOSE_TIMEOUT, value);
  }

  /**
   * See {@link PoolConfig#responseTimeout()}; 0 (off) or 1ms to 1h.
   *
   * @param value the timeout
   * @return this builder
   */
  public PoolConfig.Builder responseTimeout(Duration value) {
    return set(Keys.RESPONSE_TIMEOUT, value);
  }

  /**
   * See {@link PoolConfig#leakDetectionThreshold()}; 0 (off) or 100ms to 1d.
   *
   * @param value the threshold
   * @return this builder
   */
  public PoolConfig.Builder leakDetectionThreshold(Duration value) {
    return set(Keys.LEAK_DETECTION_THRESHOLD, value);
  }

  /**
   * See {@link PoolConfig#idleInput()}.
   *
   * @param value pass or close
   * @return this builder
   */
  public PoolConfig.Builder idleInput(IdleInput value) {
    return set(Keys.IDLE_INPUT, value);
  }

  /**
   * See {@link PoolConfig#onMarkedDown()}.
   *
   * @param value the action
   * @return this builder
   */
  public PoolConfig.Builder onMarkedDown(OnMarkedDown value) {
    return set(Keys.ON_MARKED_DOWN, value);
  }

  /**
   * See {@link PoolConfig#onMarkedUp()}.
   *
   * @param value the action
   * @return this builder
   */
  public PoolConfig.Builder onMarkedUp(OnMarkedUp value) {
    return set(Keys.ON_MARKED_UP, value);
  }

  /**
   * See {@link PoolConfig#observe()}.
   *
   * @param value true for layer4
   * @return this builder
   */
  public PoolConfig.Builder observe(boolean value) {
    return set(Keys.OBSERVE, value);
  }

  /**
   * See {@link PoolConfig#errorLimit()}; 1-1000.
   *
   * @param value the count
   * @return this builder
   */
  public PoolConfig.Builder errorLimit(int value) {
    return set(Keys.ERROR_LIMIT, value);
  }

  /**
   * See {@link PoolConfig#redispatch()}.
   *
   * @param value whether to redispatch
   * @return this builder
   */
  public PoolConfig.Builder redispatch(boolean value) {
    return set(Keys.REDISPATCH, value);
  }

  /**
   * See {@link PoolConfig#retries()}; 0-10.
   *
   * @param value the count
   * @return this builder
   */
  public PoolConfig.Builder retries(int value) {
    return set(Keys.RETRIES, value);
  }

  /**
   * See {@link PoolConfig#affinityMaxKeys()}; 1-10,000,000.
   *
   * @param value the bound
   * @return this builder
   */
  public PoolConfig.Builder affinityMaxKeys(int value) {
    return set(Keys.AFFINITY_MAX_KEYS, value);
  }

  /**
   * See {@link PoolConfig#affinityIdleTimeout()}; 1s to 1d.
   *
   * @param value the timeout
   * @return this builder
   */
  public PoolConfig.Builder affinityIdleTimeout(Duration value) {
    return set(Keys.AFFINITY_IDLE_TIMEOUT, value);
  }
}
