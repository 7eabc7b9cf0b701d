package io.tether.pool;

import io.tether.pool.internal.config.Keys;
import io.tether.pool.internal.config.Settings;
import io.tether.pool.internal.config.Syntax;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Where a pool's servers come from when they are not a fixed list: a DNS name whose A/AAAA addresses are
 * the servers, or an SRV name whose targets are. Part of {@link PoolConfig} (keys {@code
 * tether.pool.discovery.*}); none of it may change on a live pool.
 *
 * <p>The core holds the settings only. The Netty 4 adapter acts on them: a {@code TetherChannelPool} or
 * {@code TetherHttpClient} built from a config with discovery {@link #enabled()} starts with no server,
 * resolves on its event loop ({@code io.tether.netty.dns.DnsDiscovery}, on {@code netty-resolver-dns})
 * and follows the answers until it is closed. Each address is a server named by a slot, {@code
 * <prefix>1..<max-servers>}, as HAProxy's {@code server-template}, so metric tags never carry addresses.
 * The equivalent haproxy.cfg form is a {@code server-template ... resolvers} line.
 *
 * <p>Immutable and thread-safe.
 */
public final class Discovery {
  private final Settings settings;

  Discovery(Settings source) {
    this.settings = source.copy();
    if (settings.isSet(Keys.DISCOVERY_DNS) && settings.isSet(Keys.DISCOVERY_DNS_SRV)) {
      throw new ConfigException(Keys.DISCOVERY_DNS_SRV.fullName(), settings.get(Keys.DISCOVERY_DNS_SRV),
          "not both " + Keys.DISCOVERY_DNS.fullName() + " (" + settings.get(Keys.DISCOVERY_DNS) + ") and "
              + Keys.DISCOVERY_DNS_SRV.fullName() + "; give one");
    }
    if (ttlMax().compareTo(ttlMin()) < 0) {
      throw new ConfigException(Keys.DISCOVERY_TTL_MAX.fullName(), Syntax.formatDuration(ttlMax()),
          "at least " + Keys.DISCOVERY_TTL_MIN.fullName() + " " + Syntax.formatDuration(ttlMin()));
    }
  }

  /** {@return a builder with every setting at its default: no discovery} */
  public static Builder builder() {
    return new Builder(new Settings());
  }

  Settings settings() {
    return settings;
  }

  /** {@return whether the servers come from DNS: a name or an SRV name is given} */
  public boolean enabled() {
    return settings.isSet(Keys.DISCOVERY_DNS) || settings.isSet(Keys.DISCOVERY_DNS_SRV);
  }

  /** {@return the full key that turns discovery on: {@code tether.pool.discovery.dns} or {@code ...dns-srv}} */
  public String key() {
    return (srv() ? Keys.DISCOVERY_DNS_SRV : Keys.DISCOVERY_DNS).fullName();
  }

  /** {@return whether the name is an SRV name ({@link #name()} then carries the ports and weights)} */
  public boolean srv() {
    return settings.isSet(Keys.DISCOVERY_DNS_SRV);
  }

  /**
   * {@return the DNS name to resolve: the host of {@code discovery.dns} or the SRV name of {@code
   * discovery.dns-srv}; empty when not {@link #enabled()}}
   */
  public String name() {
    if (srv()) {
      return settings.get(Keys.DISCOVERY_DNS_SRV);
    }
    String hostPort = settings.get(Keys.DISCOVERY_DNS);
    return hostPort.isEmpty() ? "" : hostPort.substring(0, hostPort.lastIndexOf(':'));
  }

  /** {@return the servers' port for A/AAAA discovery; 0 for SRV (the records carry it) or none} */
  public int port() {
    String hostPort = settings.get(Keys.DISCOVERY_DNS);
    return hostPort.isEmpty() ? 0 : Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  /** {@return the DNS server to ask (key {@code discovery.resolver}), or null for the platform's} */
  public InetSocketAddress resolver() {
    String s = settings.get(Keys.DISCOVERY_RESOLVER);
    return s.isEmpty() ? null : Syntax.socketAddress(s, 53);
  }

  /** {@return the server name prefix (key {@code discovery.prefix}), or null for the name's first label} */
  public String prefix() {
    String s = settings.get(Keys.DISCOVERY_PREFIX);
    return s.isEmpty() ? null : s;
  }

  /** {@return the most servers at once (key {@code discovery.max-servers}); default 64} */
  public int maxServers() {
    return settings.get(Keys.DISCOVERY_MAX_SERVERS);
  }

  /** {@return the shortest time between resolutions (key {@code discovery.ttl-min}); default 1s} */
  public Duration ttlMin() {
    return settings.get(Keys.DISCOVERY_TTL_MIN);
  }

  /** {@return the longest time between resolutions (key {@code discovery.ttl-max}); default 5m} */
  public Duration ttlMax() {
    return settings.get(Keys.DISCOVERY_TTL_MAX);
  }

  /** {@return how long a missing address keeps its server (key {@code discovery.hold-obsolete}); default 30s} */
  public Duration holdObsolete() {
    return settings.get(Keys.DISCOVERY_HOLD_OBSOLETE);
  }

  /** {@return how long an empty answer must last to be believed (key {@code discovery.hold-nx}); default 30s} */
  public Duration holdNx() {
    return settings.get(Keys.DISCOVERY_HOLD_NX);
  }

  /** {@return the limit on one query (key {@code discovery.query-timeout}); default 2s} */
  public Duration queryTimeout() {
    return settings.get(Keys.DISCOVERY_QUERY_TIMEOUT);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Discovery d && toString().equals(d.toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  @Override
  public String toString() {
    if (!enabled()) {
      return "Discovery{none}";
    }
    return "Discovery{" + (srv() ? "dns-srv=" + name() : "dns=" + name() + ":" + port())
        + (resolver() == null ? "" : ", resolver=" + settings.get(Keys.DISCOVERY_RESOLVER))
        + ", prefix=" + (prefix() == null ? "<first label>" : prefix()) + ", max-servers=" + maxServers()
        + ", ttl=" + Syntax.formatDuration(ttlMin()) + ".." + Syntax.formatDuration(ttlMax())
        + ", hold-obsolete=" + Syntax.formatDuration(holdObsolete()) + ", hold-nx=" + Syntax.formatDuration(holdNx())
        + ", query-timeout=" + Syntax.formatDuration(queryTimeout()) + "}";
  }

  /**
   * Collects discovery settings; each method checks its argument at once and names its key in the error.
   * Not thread-safe.
   */
  public static final class Builder {
    private final Settings s;

    Builder(Settings s) {
      this.s = s;
    }

    /**
     * Every A and AAAA address of {@code host} is a server on {@code port}, weight 1. Key {@code
     * discovery.dns} ({@code host:port}).
     *
     * @param host a DNS name
     * @param port 1-65535
     * @return this builder
     */
    public Builder dns(String host, int port) {
      s.set(Keys.DISCOVERY_DNS, Objects.requireNonNull(host, "host") + ":" + port);
      return this;
    }

    /**
     * Every target of the SRV name is a server, with the record's port, weight and priority (the lowest
     * priority is the primary tier). Key {@code discovery.dns-srv}.
     *
     * @param service such as {@code _http._tcp.api.internal}
     * @return this builder
     */
    public Builder dnsSrv(String service) {
      s.set(Keys.DISCOVERY_DNS_SRV, Objects.requireNonNull(service, "service"));
      return this;
    }

    /**
     * The DNS server to ask, an IP address (never looked up). Key {@code discovery.resolver}.
     *
     * @param address its address and port
     * @return this builder
     */
    public Builder resolver(InetSocketAddress address) {
      String host = address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
      s.set(Keys.DISCOVERY_RESOLVER, (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort());
      return this;
    }

    /**
     * See {@link Discovery#prefix()}; 1-32 of {@code [A-Za-z0-9._-]}.
     *
     * @param value the prefix
     * @return this builder
     */
    public Builder prefix(String value) {
      s.set(Keys.DISCOVERY_PREFIX, value);
      return this;
    }

    /**
     * See {@link Discovery#maxServers()}; 1-10000.
     *
     * @param value the slot count
     * @return this builder
     */
    public Builder maxServers(int value) {
      s.set(Keys.DISCOVERY_MAX_SERVERS, value);
      return this;
    }

    /**
     * Bounds on the time between resolutions; the answer's TTL in between. Keys {@code discovery.ttl-min}
     * (100ms to 1h) and {@code discovery.ttl-max} (100ms to 1d, at least the minimum).
     *
     * @param min the shortest, also the retry time after a failed query
     * @param max the longest
     * @return this builder
     */
    public Builder ttl(Duration min, Duration max) {
      s.set(Keys.DISCOVERY_TTL_MIN, min);
      s.set(Keys.DISCOVERY_TTL_MAX, max);
      return this;
    }

    /**
     * See {@link Discovery#holdObsolete()}; 0 to 1d.
     *
     * @param value the hold
     * @return this builder
     */
    public Builder holdObsolete(Duration value) {
      s.set(Keys.DISCOVERY_HOLD_OBSOLETE, value);
      return this;
    }

    /**
     * See {@link Discovery#holdNx()}; 0 to 1d.
     *
     * @param value the hold
     * @return this builder
     */
    public Builder holdNx(Duration value) {
      s.set(Keys.DISCOVERY_HOLD_NX, value);
      return this;
    }

    /**
     * See {@link Discovery#queryTimeout()}; 1ms to 1m.
     *
     * @param value the limit
     * @return this builder
     */
    public Builder queryTimeout(Duration value) {
      s.set(Keys.DISCOVERY_QUERY_TIMEOUT, value);
      return this;
    }

    /**
     * Checks the settings against each other.
     *
     * @return the discovery settings
     * @throws ConfigException naming the keys that disagree
     */
    public Discovery build() {
      return new Discovery(s);
    }
  }
}
