package io.tether.bench.jmh;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The client event loops (one per benchmark thread, "lane") and a loopback TCP server that accepts
 * the pooled connections and never writes: acquire and release do no I/O, so sockets only need to
 * exist and stay open.
 */
final class Lanes implements AutoCloseable {
  final NioEventLoopGroup group;
  final List<EventLoop> loops = new ArrayList<>();
  private final NioEventLoopGroup serverGroup = new NioEventLoopGroup(1, new DefaultThreadFactory("bench-server"));
  private final Channel server;

  Lanes(int lanes) {
    group = new NioEventLoopGroup(lanes, new DefaultThreadFactory("bench-client"));
    for (EventExecutor e : group) {
      loops.add((EventLoop) e);
    }
    server =
        new ServerBootstrap().group(serverGroup).channel(NioServerSocketChannel.class)
            .childHandler(new Sink())
            .bind("127.0.0.1", 0).syncUninterruptibly().channel();
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

  InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
