package io.tether.netty.testing;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelPool;
import io.netty.channel.pool.ChannelPoolHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * HTTP GETs over any Netty {@link ChannelPool}, written the way a typical user of {@code
 * FixedChannelPool} writes them: acquire, write, wait for the response, release. No retries. It is the
 * baseline the scenarios compare Tether against.
 */
public final class ChannelPoolHttpCaller {
  private static final String RESPONSE = "baseline-response";

  private ChannelPoolHttpCaller() {}

  /** Installs the HTTP codec and the response handler on each new channel. */
  public static ChannelPoolHandler handler() {
    return handler(new java.util.concurrent.atomic.AtomicInteger());
  }

  /** As {@link #handler()}, counting channels created in {@code created}. */
  public static ChannelPoolHandler handler(java.util.concurrent.atomic.AtomicInteger created) {
    return new AbstractChannelPoolHandler() {
      @Override
      public void channelCreated(Channel ch) {
        created.incrementAndGet();
        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20));
        ch.pipeline().addLast(RESPONSE, new ResponseHandler());
      }
    };
  }

  /** GET {@code uri}; completes with the status code. */
  public static CompletableFuture<Integer> get(ChannelPool pool, String host, String uri) {
    CompletableFuture<Integer> result = new CompletableFuture<>();
    pool.acquire().addListener((Future<Channel> f) -> {
      if (!f.isSuccess()) {
        result.completeExceptionally(f.cause());
        return;
      }
      Channel ch = f.getNow();
      ResponseHandler h = (ResponseHandler) ch.pipeline().get(RESPONSE);
      CompletableFuture<Integer> current = new CompletableFuture<>();
      current.whenComplete((status, error) -> {
        if (error != null) {
          ch.close();
        }
        pool.release(ch);
        if (error != null) {
          result.completeExceptionally(error);
        } else {
          result.complete(status);
        }
      });
      FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
      req.headers().set(HttpHeaderNames.HOST, host);
      ch.eventLoop().execute(() -> {
        if (h == null) { // a channel already closed: its pipeline was torn down before we looked
          current.completeExceptionally(new java.nio.channels.ClosedChannelException());
          return;
        }
        h.current = current;
        ch.writeAndFlush(req).addListener(w -> {
          if (!w.isSuccess()) {
            current.completeExceptionally(w.cause());
          }
        });
      });
    });
    return result;
  }

  private static final class ResponseHandler extends ChannelInboundHandlerAdapter {
    CompletableFuture<Integer> current;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof FullHttpResponse && current != null) {
          CompletableFuture<Integer> c = current;
          current = null;
          c.complete(((FullHttpResponse) msg).status().code());
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (current != null) {
        CompletableFuture<Integer> c = current;
        current = null;
        c.completeExceptionally(cause);
      }
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (current != null) {
        CompletableFuture<Integer> c = current;
        current = null;
        c.completeExceptionally(new IOException("connection closed before the response (premature close)"));
      }
      ctx.fireChannelInactive();
    }
  }
}
