package io.tether.netty.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.tether.pool.haproxy.ServerStatus;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Answers HAProxy's HTTP health check ({@code option httpchk GET <path>}) from a {@link ServerStatus}:
 * 200 while serving; while draining 404 with {@code disableOn404} (for {@code http-check
 * disable-on-404}: HAProxy sends no new work but keeps the server up) or else 503; 503 in maintenance
 * or down. It reads the {@code X-Haproxy-Server-State} header ({@code http-check send-state}) into the
 * status, so the server knows when the balancer has seen its drain ({@link
 * ServerStatus#drainAcknowledged()}). Requests for other paths pass on untouched.
 *
 * <p>Place it after {@code HttpServerCodec} (with or without an aggregator) and before the
 * application's handlers. Sharable; runs on the channel's event loop.
 */
@Sharable
public final class HealthEndpoint extends ChannelInboundHandlerAdapter {
  private static final AttributeKey<Boolean> SWALLOWING = AttributeKey.valueOf("tether.health.swallowing");

  private final ServerStatus status;
  private final String path;
  private final boolean disableOn404;

  /**
   * An endpoint at {@code path}.
   *
   * @param status what to report
   * @param path the path the check requests, e.g. {@code /health} (the query string is ignored)
   * @param disableOn404 whether the backend has {@code http-check disable-on-404}
   */
  public HealthEndpoint(ServerStatus status, String path, boolean disableOn404) {
    this.status = Objects.requireNonNull(status, "status");
    this.path = Objects.requireNonNull(path, "path");
    this.disableOn404 = disableOn404;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest && matches(((HttpRequest) msg).uri())) {
      HttpRequest req = (HttpRequest) msg;
      status.balancerSaid(req.headers().get("X-Haproxy-Server-State"));
      int code = status.healthStatusCode(disableOn404);
      byte[] body = (status.state().name().toLowerCase(java.util.Locale.ROOT) + "\n").getBytes(StandardCharsets.US_ASCII);
      FullHttpResponse res = new DefaultFullHttpResponse(req.protocolVersion(), HttpResponseStatus.valueOf(code),
          Unpooled.wrappedBuffer(body));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
      HttpUtil.setContentLength(res, body.length);
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      HttpUtil.setKeepAlive(res, keepAlive);
      boolean last = msg instanceof LastHttpContent;
      ReferenceCountUtil.release(msg);
      ctx.channel().attr(SWALLOWING).set(!last); // the rest of this request (its body parts) is ours too
      if (keepAlive) {
        ctx.writeAndFlush(res);
      } else {
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
      }
      return;
    }
    if (msg instanceof HttpContent && Boolean.TRUE.equals(ctx.channel().attr(SWALLOWING).get())) {
      if (msg instanceof LastHttpContent) {
        ctx.channel().attr(SWALLOWING).set(false);
      }
      ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private boolean matches(String uri) {
    int q = uri.indexOf('?');
    return (q < 0 ? uri : uri.substring(0, q)).equals(path);
  }
}
