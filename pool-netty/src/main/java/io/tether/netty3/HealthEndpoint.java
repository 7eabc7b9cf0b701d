package io.tether.netty3;

import io.tether.pool.haproxy.ServerStatus;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jboss.netty.buffer.ChannelBuffers;
import org.jboss.netty.channel.ChannelFuture;
import org.jboss.netty.channel.ChannelFutureListener;
import org.jboss.netty.channel.ChannelHandlerContext;
import org.jboss.netty.channel.MessageEvent;
import org.jboss.netty.channel.SimpleChannelUpstreamHandler;
import org.jboss.netty.handler.codec.http.DefaultHttpResponse;
import org.jboss.netty.handler.codec.http.HttpChunk;
import org.jboss.netty.handler.codec.http.HttpHeaders;
import org.jboss.netty.handler.codec.http.HttpRequest;
import org.jboss.netty.handler.codec.http.HttpResponse;
import org.jboss.netty.handler.codec.http.HttpResponseStatus;

/**
 * Netty 3's answer to HAProxy's HTTP health check, from a {@link ServerStatus}; the same rules as
 * {@link io.tether.netty.server.HealthEndpoint}: 200 serving, 404 (with {@code disableOn404}) or 503
 * draining, 503 in maintenance or down; {@code X-Haproxy-Server-State} read into the status. Place it
 * after the {@code HttpRequestDecoder} (or {@code HttpServerCodec}); other paths pass on. One instance
 * per channel (it remembers whether the chunks of a health request are still to be skipped).
 */
public final class HealthEndpoint extends SimpleChannelUpstreamHandler {
  private final ServerStatus status;
  private final String path;
  private final boolean disableOn404;
  private boolean skippingChunks;

  /**
   * An endpoint at {@code path}.
   *
   * @param status what to report
   * @param path the path the check requests (the query string is ignored)
   * @param disableOn404 whether the backend has {@code http-check disable-on-404}
   */
  public HealthEndpoint(ServerStatus status, String path, boolean disableOn404) {
    this.status = Objects.requireNonNull(status, "status");
    this.path = Objects.requireNonNull(path, "path");
    this.disableOn404 = disableOn404;
  }

  @Override
  public void messageReceived(ChannelHandlerContext ctx, MessageEvent e) throws Exception {
    Object msg = e.getMessage();
    if (msg instanceof HttpRequest && matches(((HttpRequest) msg).getUri())) {
      HttpRequest req = (HttpRequest) msg;
      status.balancerSaid(req.headers().get("X-Haproxy-Server-State"));
      skippingChunks = req.isChunked();
      byte[] body = (status.state().name().toLowerCase(java.util.Locale.ROOT) + "\n").getBytes(StandardCharsets.US_ASCII);
      HttpResponse res = new DefaultHttpResponse(req.getProtocolVersion(),
          HttpResponseStatus.valueOf(status.healthStatusCode(disableOn404)));
      res.headers().set(HttpHeaders.Names.CONTENT_TYPE, "text/plain");
      HttpHeaders.setContentLength(res, body.length);
      res.setContent(ChannelBuffers.wrappedBuffer(body));
      boolean keepAlive = HttpHeaders.isKeepAlive(req);
      HttpHeaders.setKeepAlive(res, keepAlive);
      ChannelFuture f = e.getChannel().write(res);
      if (!keepAlive) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
      return;
    }
    if (msg instanceof HttpChunk && skippingChunks) {
      skippingChunks = !((HttpChunk) msg).isLast();
      return;
    }
    ctx.sendUpstream(e);
  }

  private boolean matches(String uri) {
    int q = uri.indexOf('?');
    return (q < 0 ? uri : uri.substring(0, q)).equals(path);
  }
}
