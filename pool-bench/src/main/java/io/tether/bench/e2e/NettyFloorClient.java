package io.tether.bench.e2e;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The floor: plain Netty with no pool at all. Each caller owns one connection, opened up front, and
 * writes its next request on it as soon as the previous response is in. Nothing a pool could do is
 * cheaper; it also has none of a pool's protections (a closed connection is simply an error).
 */
final class NettyFloorClient implements LoadClient {
  private final NioEventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("client-floor"));
  private final Channel[] channels;
  private final Handler[] handlers;
  private final String hostHeader;

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpResponse> {
    CompletableFuture<Integer> current;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
      CompletableFuture<Integer> c = current;
      current = null;
      if (c != null) {
        c.complete(res.status().code());
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      fail(new IOException("connection closed"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(cause);
      ctx.close();
    }

    private void fail(Throwable cause) {
      CompletableFuture<Integer> c = current;
      current = null;
      if (c != null) {
        c.completeExceptionally(cause);
      }
    }
  }

  NettyFloorClient(String host, int port, int connections) {
    this.hostHeader = host + ":" + port;
    channels = new Channel[connections];
    handlers = new Handler[connections];
    for (int i = 0; i < connections; i++) {
      Handler h = new Handler();
      handlers[i] = h;
      channels[i] = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), h);
            }
          }).connect(host, port).syncUninterruptibly().channel();
    }
  }

  @Override
  public String name() {
    return "plain Netty, no pool (floor)";
  }

  @Override
  public CompletableFuture<Integer> get(int chain) {
    Channel ch = channels[chain];
    Handler h = handlers[chain];
    CompletableFuture<Integer> result = new CompletableFuture<>();
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    req.headers().set(HttpHeaderNames.HOST, hostHeader);
    if (ch.eventLoop().inEventLoop()) {
      h.current = result;
      ch.writeAndFlush(req, ch.voidPromise());
    } else {
      ch.eventLoop().execute(() -> {
        h.current = result;
        ch.writeAndFlush(req, ch.voidPromise());
      });
    }
    return result;
  }

  @Override
  public void close() {
    for (Channel ch : channels) {
      ch.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
