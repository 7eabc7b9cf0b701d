package io.tether.netty3.internal;

import io.tether.pool.Endpoint;
import io.tether.pool.HealthCheck;
import io.tether.pool.HealthProbe;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.netty.bootstrap.ClientBootstrap;
import org.jboss.netty.channel.Channel;
import org.jboss.netty.channel.ChannelFuture;
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
import org.jboss.netty.util.Timer;

/**
 * Netty 3 health probes over the application's channel factory and options, without its pipeline; each
 * closes with a FIN and gives up by itself at its timeout.
 */
public final class ChannelProbes {
  private ChannelProbes() {}

  public static HealthProbe of(ClientBootstrap bootstrap, HealthCheck check, Timer timer) {
    return check.type() == HealthCheck.Type.HTTP
        ? http(bootstrap, check.httpMethod(), check.httpPath(), check.httpExpectStatus(), timer)
        : tcp(bootstrap);
  }

  public static HealthProbe tcp(ClientBootstrap bootstrap) {
    return (endpoint, timeout) -> {
      CompletableFuture<Void> result = new CompletableFuture<>();
      connect(bootstrap, endpoint, timeout, Channels::pipeline).addListener((ChannelFuture f) -> {
        if (f.isSuccess()) {
          f.getChannel().close();
          result.complete(null);
        } else {
          result.completeExceptionally(f.getCause());
        }
      });
      return result;
    };
  }

  public static HealthProbe http(ClientBootstrap bootstrap, String method, String path, int expect, Timer timer) {
    HttpMethod m = HttpMethod.valueOf(method);
    return (endpoint, timeout) -> {
      CompletableFuture<Void> result = new CompletableFuture<>();
      ChannelPipelineFactory pipeline = () -> Channels.pipeline(new HttpClientCodec(), new HttpChunkAggregator(64 * 1024),
          new SimpleChannelUpstreamHandler() {
            @Override
            public void messageReceived(ChannelHandlerContext ctx, MessageEvent e) {
              int status = ((HttpResponse) e.getMessage()).getStatus().getCode();
              if (status == expect) {
                result.complete(null);
              } else {
                result.completeExceptionally(new IOException(method + " " + path + " answered " + status
                    + ", expected " + expect));
              }
              e.getChannel().close();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, ExceptionEvent e) {
              result.completeExceptionally(e.getCause());
              e.getChannel().close();
            }

            @Override
            public void channelClosed(ChannelHandlerContext ctx, ChannelStateEvent e) {
              result.completeExceptionally(new IOException("connection closed before an answer to " + path));
            }
          });
      connect(bootstrap, endpoint, timeout, pipeline).addListener((ChannelFuture f) -> {
        if (!f.isSuccess()) {
          result.completeExceptionally(f.getCause());
          return;
        }
        Channel ch = f.getChannel();
        timer.newTimeout(t -> {
          if (result.completeExceptionally(new IOException("no answer within " + timeout.toMillis() + "ms"))) {
            ch.close();
          }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, m, path);
        req.headers().set(HttpHeaders.Names.HOST, endpoint.host());
        req.headers().set(HttpHeaders.Names.CONNECTION, HttpHeaders.Values.CLOSE);
        ch.write(req);
      });
      return result;
    };
  }

  private static ChannelFuture connect(ClientBootstrap template, Endpoint e, Duration timeout,
      ChannelPipelineFactory pipeline) {
    ClientBootstrap b = new ClientBootstrap(template.getFactory());
    b.setOptions(template.getOptions());
    b.setOption("connectTimeoutMillis", (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
    b.setPipelineFactory(pipeline);
    return b.connect(new InetSocketAddress(e.host(), e.port()));
  }
}
