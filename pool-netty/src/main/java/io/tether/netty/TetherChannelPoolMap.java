package io.tether.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.pool.AbstractChannelPoolMap;
import io.netty.channel.pool.ChannelPoolHandler;
import io.netty.channel.pool.ChannelPoolMap;
import io.tether.pool.Endpoint;
import io.tether.pool.PoolConfig;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.Function;

/**
 * One {@link TetherChannelPool} per key, created on first {@link #get}, as Netty's {@link
 * AbstractChannelPoolMap} does for its pools: code keyed by address switches by changing the
 * constructor. Every pool gets the template's settings, its own server, and the name {@code
 * <template name>-<server name>}.
 *
 * <p>For balancing, affinity and failover across servers, prefer one pool listing all of them; a map
 * keeps servers fully independent (separate limits, separate idle sets). Thread-safe.
 *
 * @param <K> the key, e.g. an {@link InetSocketAddress}
 */
public final class TetherChannelPoolMap<K> extends AbstractChannelPoolMap<K, TetherChannelPool> {
  private final Bootstrap bootstrap;
  private final ChannelPoolHandler handler;
  private final PoolConfig template;
  private final Function<K, Endpoint> endpointOf;

  /**
   * A map whose key {@code k} is served by a pool for {@code endpointOf.apply(k)}. Servers listed in
   * {@code template} are ignored: each pool has exactly its key's server.
   *
   * @param bootstrap the application's bootstrap; the pool opens channels with a clone of it
   * @param handler called as channels are created, acquired and released
   * @param template settings shared by every server's pool; its server list is ignored
   * @param endpointOf maps a key to the server it stands for
   */
  public TetherChannelPoolMap(
      Bootstrap bootstrap, ChannelPoolHandler handler, PoolConfig template, Function<K, Endpoint> endpointOf) {
    this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
    this.handler = Objects.requireNonNull(handler, "handler");
    this.template = Objects.requireNonNull(template, "template");
    this.endpointOf = Objects.requireNonNull(endpointOf, "endpointOf");
  }

  /**
   * {@return a map keyed by address; each server is named by its host (never its port: names go into metrics)}
   *
   * @param bootstrap the application's bootstrap; the pool opens channels with a clone of it
   * @param handler called as channels are created, acquired and released
   * @param template settings shared by every server's pool; its server list is ignored
   */
  public static TetherChannelPoolMap<InetSocketAddress> byAddress(
      Bootstrap bootstrap, ChannelPoolHandler handler, PoolConfig template) {
    return new TetherChannelPoolMap<>(bootstrap, handler, template, Endpoint::of);
  }

  @Override
  protected TetherChannelPool newPool(K key) {
    Endpoint e = endpointOf.apply(key);
    PoolConfig config = template.toBuilder()
        .name(template.name() + "-" + e.name())
        .servers(java.util.List.of(e))
        .build();
    return new TetherChannelPool(bootstrap, handler, config);
  }

  /** {@return the same map viewed through Netty's interface} */
  public ChannelPoolMap<K, TetherChannelPool> asChannelPoolMap() {
    return this;
  }
}
