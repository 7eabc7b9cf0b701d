package io.tether.netty.internal;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.tether.netty.dns.DnsDiscovery;
import io.tether.pool.ConnectionPool;
import io.tether.pool.PoolConfig;

/** Starts the DNS discovery a config's {@code tether.pool.discovery.*} keys ask for. */
public final class Discoveries {
  private Discoveries() {}

  /**
   * A started discovery of {@code pool}'s servers, resolving on one loop of {@code group}.
   *
   * @throws IllegalStateException if there is no event loop group or netty-resolver-dns is missing
   */
  public static DnsDiscovery start(ConnectionPool<?> pool, EventLoopGroup group, PoolConfig config) {
    String key = config.discovery().key();
    if (group == null) {
      pool.closeAsync();
      throw new IllegalStateException(key + " needs the bootstrap's event loop group to resolve on: set group(...)");
    }
    DnsDiscovery d;
    try {
      d = DnsDiscovery.builder(pool, (EventLoop) group.next()).apply(config.discovery()).build();
    } catch (LinkageError e) {
      pool.closeAsync();
      // netty-resolver-dns is provided by the application, as the rest of Netty.
      throw new IllegalStateException(key + " needs io.netty:netty-resolver-dns (the version of your Netty) on the "
          + "class path", e);
    }
    // The first answer may fail or be slow: the pool serves (or waits) meanwhile; discovery keeps trying.
    d.start();
    return d;
  }
}
