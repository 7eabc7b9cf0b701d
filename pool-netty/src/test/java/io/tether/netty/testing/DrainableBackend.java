package io.tether.netty.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.tether.netty.server.AgentResponder;
import io.tether.netty.server.HealthEndpoint;
import io.tether.netty.server.ServerDrain;
import io.tether.pool.haproxy.ServerStatus;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Netty 4 HTTP backend that can be drained: the drain's tracker and the health endpoint ({@code
 * /health}, 404 while draining) in front of an application that answers its name, and optionally an
 * agent-check responder on a port of its own; a {@code QuietResetHandler} keeps the balancer's resets
 * out of the application. Counts requests and every exception that reaches the application.
 */
public final class DrainableBackend implements Restartable {
  public final String name;
  public final ServerStatus status = new ServerStatus();
  public final AtomicInteger served = new AtomicInteger();
  public final Queue<Throwable> appExceptions = new ConcurrentLinkedQueue<>();
  public final Channel listener;
  public final Channel agent;
  public final ServerDrain drain;
  private final io.netty.channel.group.ChannelGroup accepted =
      new io.netty.channel.group.DefaultChannelGroup(io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);

  /** On {@code host}:{@code port} (0 for any), with an agent responder if {@code agentPort} >= 0. */
  public DrainableBackend(EventLoopGroup group, String name, String host, int port, int agentPort) {
    this.name = name;
    ServerDrain[] holder = new ServerDrain[1];
    io.tether.netty.server.QuietResetHandler quiet = new io.tether.netty.server.QuietResetHandler();
    // SO_REUSEADDR: a restarted server binds its port again while closed connections linger in TIME_WAIT.
    ServerBootstrap sb = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .option(io.netty.channel.ChannelOption.SO_REUSEADDR, true)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            accepted.add(ch);
            ch.pipeline().addLast(new HttpServerCodec(), holder[0].handler(), new HealthEndpoint(status, "/health", true),
                new HttpObjectAggregator(1 << 16), new SimpleChannelInboundHandler<FullHttpRequest>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                    served.incrementAndGet();
                    FullHttpResponse res = new DefaultFullHttpResponse(req.protocolVersion(), HttpResponseStatus.OK,
                        Unpooled.copiedBuffer(name, StandardCharsets.US_ASCII));
                    HttpUtil.setContentLength(res, name.length());
                    ctx.writeAndFlush(res);
                  }

                  @Override
                  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    appExceptions.add(cause);
                    ctx.close();
                  }
                }, quiet); // HAProxy ends its checks with a RST: counted there, never reaching the application
          }
        });
    listener = bind(sb, host, port);
    ServerBootstrap agentBootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .option(io.netty.channel.ChannelOption.SO_REUSEADDR, true).childHandler(new AgentResponder(status));
    agent = agentPort < 0 ? null : bind(agentBootstrap, host, agentPort);
    drain = new ServerDrain(status, listener, Duration.ofSeconds(1), Duration.ofSeconds(10));
    holder[0] = drain;
  }

  /**
   * Binds, retrying for up to 2 s: a port just given up can stay busy for a moment (a connection the
   * kernel still holds on it), as a restarting server finds, and retries.
   */
  private static Channel bind(ServerBootstrap b, String host, int port) {
    for (int attempt = 0; ; attempt++) {
      io.netty.channel.ChannelFuture f = b.bind(new InetSocketAddress(host, port)).awaitUninterruptibly();
      if (f.isSuccess() || port == 0 || attempt >= 40) {
        return f.syncUninterruptibly().channel();
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return f.syncUninterruptibly().channel();
      }
    }
  }

  @Override
  public void stopNow() {
    listener.close().syncUninterruptibly();
    accepted.close().syncUninterruptibly();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ServerStatus status() {
    return status;
  }

  @Override
  public int served() {
    return served.get();
  }

  @Override
  public int appExceptions() {
    return appExceptions.size();
  }

  @Override
  public java.util.List<String> appExceptionSample() {
    return appExceptions.stream().limit(3).map(String::valueOf).toList();
  }

  @Override
  public java.util.concurrent.CompletableFuture<io.tether.pool.haproxy.DrainSequence.Report> drain() {
    return drain.start();
  }

  @Override
  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  @Override
  public int agentPort() {
    return ((InetSocketAddress) agent.localAddress()).getPort();
  }

  @Override
  public void close() {
    listener.close().syncUninterruptibly();
    if (agent != null) {
      agent.close().syncUninterruptibly();
    }
  }
}
