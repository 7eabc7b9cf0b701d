package io.tether.bench.jmh;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The client event loops (one per benchmark thread, "lane") and a server that accepts the pooled
 * connections and never writes: acquire and release do no I/O, so connections only need to exist and
 * stay open. The transport is loopback TCP ({@code nio}) or Netty's in-VM {@code LocalChannel}
 * ({@code local}).
 */
final class Lanes implements AutoCloseable {
  final EventLoopGroup group;
  final List<EventLoop> loops = new ArrayList<>();
  final Class<? extends Channel> channelType;
  private final EventLoopGroup serverGroup;
  private final Channel server;

  Lanes(int lanes) {
    this(lanes, "nio");
  }

  Lanes(int lanes, String transport) {
    boolean local = switch (transport) {
      case "local" -> true;
      case "nio" -> false;
      default -> throw new IllegalArgumentException("transport " + transport + " (expected nio or local)");
    };
    DefaultThreadFactory client = new DefaultThreadFactory("bench-client");
    DefaultThreadFactory serving = new DefaultThreadFactory("bench-server");
    group = local ? new DefaultEventLoopGroup(lanes, client) : new NioEventLoopGroup(lanes, client);
    serverGroup = local ? new DefaultEventLoopGroup(1, serving) : new NioEventLoopGroup(1, serving);
    channelType = local ? LocalChannel.class : NioSocketChannel.class;
    for (EventExecutor e : group) {
      loops.add((EventLoop) e);
    }
    ServerBootstrap sb = new ServerBootstrap().group(serverGroup)
        .channel(local ? LocalServerChannel.class : NioServerSocketChannel.class).childHandler(new Sink());
    server = (local ? sb.bind(new LocalAddress("bench-" + System.nanoTime())) : sb.bind("127.0.0.1", 0))
        .syncUninterruptibly().channel();
  }

  /** Accepts and ignores: the pooled connections never send anything. */
  @ChannelHandler.Sharable
  private static final class Sink extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }
  }

  EventLoop loop(int lane) {
    return loops.get(lane % loops.size());
  }

  SocketAddress address() {
    return server.localAddress();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
