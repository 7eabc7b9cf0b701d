package io.tether.netty.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.netty.server.IdleCloser;
import io.tether.netty.server.QuietResetHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain Netty 4 HTTP server as applications write them: codec, aggregator, and an application
 * handler that logs and counts every exception it sees, the way Netty's examples do. Answers {@code
 * /health} with "up" and anything else with "ok from NAME". Optionally with Tether's server handlers.
 */
public final class TestHttpServer implements AutoCloseable {
  public final String name;
  public final AtomicInteger requests = new AtomicInteger();
  public final AtomicInteger accepted = new AtomicInteger();
  /** Exceptions that reached the application's handler. */
  public final List<String> appExceptions = new CopyOnWriteArrayList<>();
  /** Requests to answer with an RST instead of a response. */
  public final AtomicInteger resetNext = new AtomicInteger();
  /** Requests to leave unanswered (the connection stays open). */
  public final AtomicInteger ignoreNext = new AtomicInteger();
  public volatile String keepAliveHeader;
  public volatile boolean closeAfterResponse;
  /** Answer with {@code Connection: close} but leave the connection open: only the client can close it. */
  public volatile boolean saysCloseButStaysOpen;
  /**
   * Answer every request keep-alive, ignoring HTTP/1.0 and {@code Connection: close}, as many
   * hand-written handlers do (the servers of the field report did): the balancer then ends its health
   * checks with an RST on a connection the server still holds.
   */
  public volatile boolean alwaysKeepAlive;
  /** How long each response waits before it is written, so that requests sent together overlap. */
  public volatile long delayMillis;
  public volatile int bodyBytes = -1;
  /** What {@code /health} answers: its status and body. */
  public volatile HttpResponseStatus healthStatus = HttpResponseStatus.OK;
  public volatile String healthBody = "up";
  public final AtomicInteger healthRequests = new AtomicInteger();
  /** If set, what every request other than {@code /health} answers, with an empty body. */
  public volatile HttpResponseStatus statusForAll;
  /** Every request as received: "METHOD uri VERSION", then its Connection header or "-" ("GET / HTTP/1.1 -"). */
  public final List<String> requestLines = new CopyOnWriteArrayList<>();
  public final QuietResetHandler quiet;
  public final IdleCloser.Factory idleCloser;

  private final EventLoopGroup group;
  private final Channel server;
  private final io.netty.channel.group.ChannelGroup connections =
      new io.netty.channel.group.DefaultChannelGroup(io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);

  private TestHttpServer(String name, String host, int port, boolean tether, IdleCloser.Factory idleCloser)
      throws InterruptedException {
    this.name = name;
    this.quiet = tether ? new QuietResetHandler() : null;
    this.idleCloser = idleCloser;
    // Named, so a benchmark can tell the backends' CPU time from the client's.
    this.group = new NioEventLoopGroup(1, new io.netty.util.concurrent.DefaultThreadFactory("backend-" + name));
    this.server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    accepted.incrementAndGet();
                    connections.add(ch);
                    ch.pipeline().addLast(new HttpServerCodec());
                    if (TestHttpServer.this.idleCloser != null) {
                      ch.pipeline().addLast(TestHttpServer.this.idleCloser.newHandler());
                    }
                    ch.pipeline().addLast(new HttpObjectAggregator(1 << 20), new App());
                    if (quiet != null) {
                      ch.pipeline().addLast(quiet);
                    }
                  }
                })
            .bind(host, port)
            .sync()
            .channel();
  }

  /** A plain server: exceptions reach the application handler as in any Netty app. */
  public static TestHttpServer plain(String name, String host) throws InterruptedException {
    return new TestHttpServer(name, host, 0, false, null);
  }

  /** A plain server on a given port, to bring a killed backend back where the balancer expects it. */
  public static TestHttpServer plain(String name, String host, int port) throws InterruptedException {
    return new TestHttpServer(name, host, port, false, null);
  }

  /**
   * Plain servers {@code b1..bn} on 127.0.0.{firstHost}.. onwards, all on one port (a DNS A record
   * carries no port): a port free on the first address is tried on all, and another is tried if one of
   * them has it taken.
   */
  public static List<TestHttpServer> onOnePort(int firstHost, int n) throws InterruptedException {
    for (int attempt = 0; attempt < 20; attempt++) {
      int port = Loopback.freePort("127.0.0." + firstHost);
      List<TestHttpServer> out = new ArrayList<>();
      try {
        for (int i = 0; i < n; i++) {
          out.add(plain("b" + (i + 1), "127.0.0." + (firstHost + i), port));
        }
        return out;
      } catch (Exception taken) {
        out.forEach(TestHttpServer::close);
      }
    }
    throw new AssertionError("no port free on all of 127.0.0." + firstHost + "-" + (firstHost + n - 1));
  }

  /** The same server with Tether's {@link QuietResetHandler} added last. */
  public static TestHttpServer withTether(String name, String host) throws InterruptedException {
    return new TestHttpServer(name, host, 0, true, null);
  }

  /** With {@link QuietResetHandler} and an {@link IdleCloser} from {@code factory}. */
  public static TestHttpServer withTether(String name, String host, IdleCloser.Factory factory)
      throws InterruptedException {
    return new TestHttpServer(name, host, 0, true, factory);
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  public String host() {
    return ((InetSocketAddress) server.localAddress()).getHostString();
  }

  /** {@code host:port}, for HAProxy server lines. */
  public String address() {
    return host() + ":" + port();
  }

  private final class App extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      requests.incrementAndGet();
      String connection = req.headers().get(HttpHeaderNames.CONNECTION);
      requestLines.add(req.method() + " " + req.uri() + " " + req.protocolVersion() + " "
          + (connection == null ? "-" : connection.toLowerCase(Locale.ROOT)));
      if (resetNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        ctx.close();
        return;
      }
      if (ignoreNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        return;
      }
      byte[] body;
      HttpResponseStatus status = HttpResponseStatus.OK;
      if (req.uri().startsWith("/health")) {
        healthRequests.incrementAndGet();
        status = healthStatus;
        body = healthBody.getBytes(StandardCharsets.UTF_8);
      } else if (statusForAll != null) {
        status = statusForAll;
        body = new byte[0];
      } else if (bodyBytes >= 0) {
        body = new byte[bodyBytes];
      } else {
        body = ("ok from " + name).getBytes(StandardCharsets.UTF_8);
      }
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
      HttpUtil.setContentLength(res, body.length);
      String ka = keepAliveHeader;
      if (ka != null) {
        res.headers().set("keep-alive", ka);
      }
      boolean keepAlive = (alwaysKeepAlive || HttpUtil.isKeepAlive(req)) && !closeAfterResponse;
      if (!alwaysKeepAlive) {
        HttpUtil.setKeepAlive(res, keepAlive);
      }
      long delay = delayMillis;
      if (delay > 0) {
        ctx.executor().schedule(() -> respond(ctx, res, keepAlive), delay, TimeUnit.MILLISECONDS);
      } else {
        respond(ctx, res, keepAlive);
      }
    }

    private void respond(ChannelHandlerContext ctx, FullHttpResponse res, boolean keepAlive) {
      if (saysCloseButStaysOpen) {
        HttpUtil.setKeepAlive(res, false);
        ctx.writeAndFlush(res);
      } else if (keepAlive) {
        ctx.writeAndFlush(res);
      } else {
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // What a typical application does: log it and close. Tether's job is that this never runs for
      // the resets a load balancer causes.
      appExceptions.add(cause.toString());
      ctx.close();
    }
  }

  /** Resets (RST) every open connection, as a balancer or a crashed peer would. */
  public void resetAll() {
    for (Channel ch : connections) {
      ch.config().setOption(ChannelOption.SO_LINGER, 0);
      ch.close();
    }
  }

  /** Closes (FIN) every open connection. */
  public void closeAll() {
    connections.close().syncUninterruptibly();
  }

  /** Connections open now. */
  public int open() {
    return connections.size();
  }

  /** Stops the server; a second call does nothing (a test may stop a backend before its teardown does). */
  @Override
  public void close() {
    if (group.isShuttingDown()) {
      return;
    }
    connections.close().syncUninterruptibly();
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
