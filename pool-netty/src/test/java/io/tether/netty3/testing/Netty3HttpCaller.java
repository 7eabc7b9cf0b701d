package io.tether.netty3.testing;

import io.tether.netty3.Netty3ChannelPool;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.jboss.netty.channel.Channel;
import org.jboss.netty.channel.ChannelHandlerContext;
import org.jboss.netty.channel.ChannelPipelineFactory;
import org.jboss.netty.channel.ChannelStateEvent;
import org.jboss.netty.channel.Channels;
import org.jboss.netty.channel.ExceptionEvent;
import org.jboss.netty.channel.MessageEvent;
import org.jboss.netty.channel.SimpleChannelUpstreamHandler;
import org.jboss.netty.handler.codec.http.DefaultHttpRequest;
import org.jboss.netty.handler.codec.http.HttpChunkAggregator;
import org.jboss.netty.handler.codec.http.HttpClientCodec;
import org.jboss.netty.handler.codec.http.HttpHeaders;
import org.jboss.netty.handler.codec.http.HttpMethod;
import org.jboss.netty.handler.codec.http.HttpRequest;
import org.jboss.netty.handler.codec.http.HttpResponse;
import org.jboss.netty.handler.codec.http.HttpVersion;

/** HTTP GETs over a {@link Netty3ChannelPool}, as a Netty 3 client application writes them. No retries. */
public final class Netty3HttpCaller {
  private Netty3HttpCaller() {}

  /** The pipeline each pooled channel gets: codec, aggregator, response handler. */
  public static ChannelPipelineFactory pipeline() {
    return () -> Channels.pipeline(new HttpClientCodec(), new HttpChunkAggregator(1 << 20), new ResponseHandler());
  }

  /** GET {@code uri}; completes with the body. */
  public static CompletableFuture<String> get(Netty3ChannelPool pool, String host, String uri) {
    return pool.acquire().thenCompose(ch -> {
      ResponseHandler h = ch.getPipeline().get(ResponseHandler.class);
      CompletableFuture<String> current = new CompletableFuture<>();
      h.current = current;
      HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
      req.headers().set(HttpHeaders.Names.HOST, host);
      ch.write(req);
      return current.whenComplete((body, error) -> pool.release(ch));
    });
  }

  /** Holds the exchange in flight on its channel. */
  public static final class ResponseHandler extends SimpleChannelUpstreamHandler {
    volatile CompletableFuture<String> current;

    @Override
    public void messageReceived(ChannelHandlerContext ctx, MessageEvent e) {
      CompletableFuture<String> c = current;
      current = null;
      if (c != null) {
        c.complete(((HttpResponse) e.getMessage()).getContent().toString(java.nio.charset.StandardCharsets.UTF_8));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, ExceptionEvent e) {
      fail(e.getChannel(), e.getCause());
      ctx.sendUpstream(e);
    }

    @Override
    public void channelClosed(ChannelHandlerContext ctx, ChannelStateEvent e) {
      fail(e.getChannel(), new IOException("connection closed before the response"));
      ctx.sendUpstream(e);
    }

    private void fail(Channel ch, Throwable cause) {
      CompletableFuture<String> c = current;
      current = null;
      if (c != null) {
        c.completeExceptionally(cause);
      }
      ch.close();
    }
  }
}
