package io.tether.bench.e2e;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tether.netty.testing.ChannelPoolHttpCaller;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Netty's own {@link FixedChannelPool}, used the way its users write it (no retries). */
public final class NettyPoolLoadClient implements LoadClient {
  private final NioEventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("client-netty-pool"));
  private final FixedChannelPool pool;
  private final String hostHeader;
  private final AtomicInteger created = new AtomicInteger();

  public NettyPoolLoadClient(String host, int port, int maxConnections) {
    this(host, port, maxConnections, null);
  }

  /** As above, the bootstrap resolving {@code host} with {@code resolver} at each connect (null: Netty's default). */
  public NettyPoolLoadClient(String host, int port, int maxConnections,
      AddressResolverGroup<? extends SocketAddress> resolver) {
    this.hostHeader = host + ":" + port;
    Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class).remoteAddress(host, port);
    if (resolver != null) {
      b.resolver(resolver);
    }
    pool = new FixedChannelPool(b, ChannelPoolHttpCaller.handler(created), maxConnections);
  }

  @Override
  public String name() {
    return "Netty FixedChannelPool";
  }

  @Override
  public CompletableFuture<Integer> get(int chain) {
    return ChannelPoolHttpCaller.get(pool, hostHeader, "/");
  }

  @Override
  public int connectionsOpened() {
    return created.get();
  }

  @Override
  public void close() {
    pool.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
