package io.tether.netty.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
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
import io.netty.handler.ssl.SslHandler;
import io.tether.netty.Tls;
import io.tether.pool.Endpoint;
import io.tether.pool.HealthCheck;
import io.tether.pool.spi.HealthProbe;
import io.tether.pool.ServerState;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Health probes over a copy of the application's bootstrap, with none of its handlers: checks never
 * reach the application's pipeline code. Each check closes its connection gracefully (FIN), so servers
 * see no resets from Tether's checks, and gives up by itself at its bounds, HAProxy's way: the connect
 * within {@link HealthCheck#connectTimeout()}, the rest within {@link HealthCheck#timeout()}, or within
 * {@code inter} of the start when that is zero. No clock is read: each bound is a timer on the channel's
 * event loop.
 */
public final class ChannelProbes {
  private static final int MAX_BODY = 1024 * 1024;

  private ChannelProbes() {}

  /**
   * The probe for every check type, over {@code bootstrap}'s transport and options.
   *
   * @param bootstrap the application's bootstrap (its handler is not used)
   * @param tls the pool's TLS settings, used by checks with {@code check.ssl}; may be null
   * @return a probe that does what each call's {@link HealthCheck} says
   */
  public static HealthProbe of(Bootstrap bootstrap, Tls tls) {
    Bootstrap template = bootstrap.clone();
    return (endpoint, check) -> {
      CompletableFuture<ServerState> result = new CompletableFuture<>();
      if (check.ssl() && tls == null) {
        result.completeExceptionally(new IllegalStateException(
            "check.ssl is on but the pool has no TLS settings (TetherChannelPool.Builder.tls)"));
        return result;
      }
      boolean http = check.type() == HealthCheck.Type.HTTP;
      Bootstrap b = template.clone();
      b.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, millis(check.connectTimeout()));
      b.handler(new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel ch) {
          if (check.ssl()) {
            ch.pipeline().addLast(ChannelConnector.sslHandler(tls, ch, endpoint));
          }
          if (http) {
            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_BODY), new Answer(check, result));
          }
        }
      });
      ChannelFuture connecting = b.connect(endpoint.checkAddress());
      Channel ch = connecting.channel();
      if (check.timeout().isZero()) {
        // HAProxy without "timeout check": the whole check, connect included, within inter.
        failAfter(ch, check.inter(), result, "no answer within inter " + check.inter().toMillis() + "ms");
      }
      connecting.addListener((ChannelFuture f) -> {
        if (!f.isSuccess()) {
          result.completeExceptionally(f.cause());
          return;
        }
        if (!check.timeout().isZero()) {
          failAfter(ch, check.timeout(), result, "no answer within timeout " + check.timeout().toMillis() + "ms");
        }
        if (check.ssl()) {
          ch.pipeline().get(SslHandler.class).handshakeFuture().addListener(h -> {
            if (!h.isSuccess()) {
              result.completeExceptionally(h.cause());
              ch.close();
            } else if (http) {
              ch.writeAndFlush(request(check, endpoint));
            } else {
              result.complete(ServerState.UP);
              ch.close();
            }
          });
        } else if (http) {
          ch.writeAndFlush(request(check, endpoint));
        } else {
          result.complete(ServerState.UP);
          ch.close();
        }
      });
      return result;
    };
  }

  private static int millis(Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
  }

  private static void failAfter(Channel ch, Duration after, CompletableFuture<ServerState> result, String why) {
    ch.eventLoop().schedule(() -> {
      if (result.completeExceptionally(new IOException(why))) {
        ch.close();
      }
    }, after.toNanos(), TimeUnit.NANOSECONDS);
  }

  static FullHttpRequest request(HealthCheck check, Endpoint endpoint) {
    byte[] body = check.httpBody().getBytes(StandardCharsets.US_ASCII);
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.valueOf(check.httpVersion()),
        HttpMethod.valueOf(check.httpMethod()), check.httpPath(), Unpooled.wrappedBuffer(body));
    check.httpHeaders().forEach((n, v) -> req.headers().add(n, v));
    if (check.httpVersion().equals("HTTP/1.1") && !req.headers().contains(HttpHeaderNames.HOST)) {
      req.headers().set(HttpHeaderNames.HOST, hostHeader(endpoint));
    }
    if (body.length > 0) {
      req.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
    }
    req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return req;
  }

  static String hostHeader(Endpoint endpoint) {
    if (endpoint.checkAddress() instanceof InetSocketAddress a) {
      String h = a.getHostString();
      return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + a.getPort();
    }
    return endpoint.host();
  }

  /** Reads the one response and decides: pass, drain (404 with disable-on-404), or fail. */
  private static final class Answer extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final HealthCheck check;
    private final CompletableFuture<ServerState> result;

    Answer(HealthCheck check, CompletableFuture<ServerState> result) {
      this.check = check;
      this.result = result;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
      int status = res.status().code();
      String body = check.httpExpect().readsBody() ? res.content().toString(StandardCharsets.ISO_8859_1) : "";
      if (check.httpDisableOn404() && status == 404) {
        result.complete(ServerState.DRAIN);
      } else if (check.httpExpect().passes(status, body)) {
        result.complete(ServerState.UP);
      } else {
        result.completeExceptionally(new IOException(check.httpMethod() + " " + check.httpPath() + " answered "
            + status + ", expected " + check.httpExpect()));
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
      result.completeExceptionally(new IOException("connection closed before an answer to " + check.httpPath()));
    }
  }
}
