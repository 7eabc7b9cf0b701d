package io.tether.netty3.internal;

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
import org.jboss.netty.bootstrap.ClientBootstrap;
import org.jboss.netty.buffer.ChannelBuffers;
import org.jboss.netty.channel.Channel;
import org.jboss.netty.channel.ChannelFuture;
import org.jboss.netty.channel.ChannelHandlerContext;
import org.jboss.netty.channel.ChannelPipeline;
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
 * closes with a FIN and gives up by itself at its bounds, as the Netty 4 probes do (connect within
 * {@code connectTimeout}, the rest within {@code timeout}, or within {@code inter} of the start).
 */
public final class ChannelProbes {
  private static final int MAX_BODY = 1024 * 1024;

  private ChannelProbes() {}

  /**
   * Probes over {@code bootstrap}'s channel factory and options, timed on {@code timer}; {@code tls} (may
   * be null) serves checks with {@code check.ssl}.
   */
  public static HealthProbe of(ClientBootstrap bootstrap, Timer timer, io.tether.netty3.Tls tls) {
    return (endpoint, check) -> {
      CompletableFuture<ServerState> result = new CompletableFuture<>();
      if (check.ssl() && tls == null) {
        result.completeExceptionally(new IllegalStateException(
            "check.ssl is on but the pool has no TLS settings (Netty3ChannelPool.Builder.tls)"));
        return result;
      }
      boolean http = check.type() == HealthCheck.Type.HTTP;
      ClientBootstrap b = new ClientBootstrap(bootstrap.getFactory());
      b.setOptions(bootstrap.getOptions());
      b.setOption("connectTimeoutMillis", millis(check.connectTimeout()));
      b.setPipelineFactory(() -> {
        ChannelPipeline p = Channels.pipeline();
        if (check.ssl()) {
          p.addLast(Ssl.NAME, Ssl.handler(tls, endpoint, timer));
        }
        if (http) {
          p.addLast("codec", new HttpClientCodec());
          p.addLast("aggregator", new HttpChunkAggregator(MAX_BODY));
          p.addLast("answer", new Answer(check, result));
        }
        return p;
      });
      ChannelFuture connecting = b.connect(ChannelConnector.resolved(endpoint.checkAddress()));
      Channel ch = connecting.getChannel();
      if (check.timeout().isZero()) {
        failAfter(timer, ch, check.inter(), result, "no answer within inter " + check.inter().toMillis() + "ms");
      }
      connecting.addListener((ChannelFuture f) -> {
        if (!f.isSuccess()) {
          result.completeExceptionally(f.getCause());
          return;
        }
        if (!check.timeout().isZero()) {
          failAfter(timer, ch, check.timeout(), result, "no answer within timeout " + check.timeout().toMillis() + "ms");
        }
        if (!check.ssl()) {
          connected(ch, endpoint, check, http, result);
          return;
        }
        CompletableFuture<Channel> shaken = new CompletableFuture<>();
        Ssl.handshake(ch, endpoint, shaken); // as HAProxy's check-ssl: a failed handshake fails the check
        shaken.whenComplete((c, e) -> {
          if (e != null) {
            result.completeExceptionally(e);
          } else {
            connected(ch, endpoint, check, http, result);
          }
        });
      });
      return result;
    };
  }

  /** Connected (and through TLS when asked): a TCP check has passed; an HTTP check sends its request. */
  private static void connected(Channel ch, Endpoint endpoint, HealthCheck check, boolean http,
      CompletableFuture<ServerState> result) {
    if (http) {
      ch.write(request(check, endpoint));
    } else {
      result.complete(ServerState.UP);
      ch.close();
    }
  }

  private static int millis(Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
  }

  private static void failAfter(Timer timer, Channel ch, Duration after, CompletableFuture<ServerState> result,
      String why) {
    timer.newTimeout(t -> {
      if (result.completeExceptionally(new IOException(why))) {
        ch.close();
      }
    }, after.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static HttpRequest request(HealthCheck check, Endpoint endpoint) {
    HttpRequest req = new DefaultHttpRequest(HttpVersion.valueOf(check.httpVersion()),
        HttpMethod.valueOf(check.httpMethod()), check.httpPath());
    check.httpHeaders().forEach((n, v) -> req.headers().add(n, v));
    if (check.httpVersion().equals("HTTP/1.1") && !req.headers().contains(HttpHeaders.Names.HOST)) {
      String host = endpoint.checkAddress() instanceof InetSocketAddress a
          ? (a.getHostString().indexOf(':') >= 0 ? "[" + a.getHostString() + "]" : a.getHostString()) + ":" + a.getPort()
          : endpoint.host();
      req.headers().set(HttpHeaders.Names.HOST, host);
    }
    byte[] body = check.httpBody().getBytes(StandardCharsets.US_ASCII);
    if (body.length > 0) {
      req.setContent(ChannelBuffers.wrappedBuffer(body));
      req.headers().set(HttpHeaders.Names.CONTENT_LENGTH, body.length);
    }
    req.headers().set(HttpHeaders.Names.CONNECTION, HttpHeaders.Values.CLOSE);
    return req;
  }

  private static final class Answer extends SimpleChannelUpstreamHandler {
    private final HealthCheck check;
    private final CompletableFuture<ServerState> result;

    Answer(HealthCheck check, CompletableFuture<ServerState> result) {
      this.check = check;
      this.result = result;
    }

    @Override
    public void messageReceived(ChannelHandlerContext ctx, MessageEvent e) {
      HttpResponse res = (HttpResponse) e.getMessage();
      int status = res.getStatus().getCode();
      String body = check.httpExpect().readsBody() ? res.getContent().toString(StandardCharsets.ISO_8859_1) : "";
      if (check.httpDisableOn404() && status == 404) {
        result.complete(ServerState.DRAIN);
      } else if (check.httpExpect().passes(status, body)) {
        result.complete(ServerState.UP);
      } else {
        result.completeExceptionally(new IOException(check.httpMethod() + " " + check.httpPath() + " answered "
            + status + ", expected " + check.httpExpect()));
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
      result.completeExceptionally(new IOException("connection closed before an answer to " + check.httpPath()));
    }
  }
}
