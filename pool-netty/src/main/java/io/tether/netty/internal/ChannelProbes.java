package io.tether.netty.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.pool.Endpoint;
import io.tether.pool.HealthCheck;
import io.tether.pool.HealthProbe;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Health probes over a copy of the application's bootstrap, with none of its handlers: the checks never
 * reach the application's pipeline code. Each check closes its connection gracefully (FIN), so servers
 * see no resets from Tether's checks, and gives up by itself at its timeout.
 */
public final class ChannelProbes {
  private ChannelProbes() {}

  /** The probe {@code check} describes. */
  public static HealthProbe of(Bootstrap bootstrap, HealthCheck check) {
    return check.type() == HealthCheck.Type.HTTP
        ? http(bootstrap, check.httpMethod(), check.httpPath(), check.httpExpectStatus())
        : tcp(bootstrap);
  }

  /** Passes when a TCP connection opens within the timeout. */
  public static HealthProbe tcp(Bootstrap bootstrap) {
    Bootstrap template = bootstrap.clone();
    return (endpoint, timeout) -> {
      CompletableFuture<Void> result = new CompletableFuture<>();
      connect(template, endpoint, timeout, new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel ch) {}
      }).addListener((ChannelFuture f) -> {
        if (f.isSuccess()) {
          f.channel().close();
          result.complete(null);
        } else {
          result.completeExceptionally(f.cause());
        }
      });
      return result;
    };
  }

  /** Passes when {@code method path} answers {@code expectStatus} within the timeout. */
  public static HealthProbe http(Bootstrap bootstrap, String method, String path, int expectStatus) {
    Bootstrap template = bootstrap.clone();
    HttpMethod m = HttpMethod.valueOf(method);
    return (endpoint, timeout) -> {
      CompletableFuture<Void> result = new CompletableFuture<>();
      connect(template, endpoint, timeout, new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel ch) {
          ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
              new SimpleChannelInboundHandler<FullHttpResponse>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
                  int status = res.status().code();
                  if (status == expectStatus) {
                    result.complete(null);
                  } else {
                    result.completeExceptionally(
                        new IOException(method + " " + path + " answered " + status + ", expected " + expectStatus));
                  }
                  ctx.close();
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                  result.completeExceptionally(cause);
                  ctx.close();
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                  result.completeExceptionally(new IOException("connection closed before an answer to " + path));
                }
              });
        }
      }).addListener((ChannelFuture f) -> {
        if (!f.isSuccess()) {
          result.completeExceptionally(f.cause());
          return;
        }
        Channel ch = f.channel();
        // Give up on our own at the timeout, so a silent server does not keep the connection.
        ch.eventLoop().schedule(() -> {
          if (result.completeExceptionally(new IOException("no answer within " + timeout.toMillis() + "ms"))) {
            ch.close();
          }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, m, path);
        req.headers().set(HttpHeaderNames.HOST, endpoint.host());
        req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ch.writeAndFlush(req);
      });
      return result;
    };
  }

  private static ChannelFuture connect(Bootstrap template, Endpoint e, Duration timeout, ChannelInitializer<Channel> init) {
    Bootstrap b = template.clone();
    b.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
    b.handler(init);
    return b.connect(e.host(), e.port());
  }
}
