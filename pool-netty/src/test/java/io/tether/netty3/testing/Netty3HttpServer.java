package io.tether.netty3.testing;

import io.tether.netty3.IdleCloser;
import io.tether.netty3.QuietResetHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.netty.bootstrap.ServerBootstrap;
import org.jboss.netty.buffer.ChannelBuffers;
import org.jboss.netty.channel.Channel;
import org.jboss.netty.channel.ChannelHandlerContext;
import org.jboss.netty.channel.ChannelPipeline;
import org.jboss.netty.channel.ChannelStateEvent;
import org.jboss.netty.channel.Channels;
import org.jboss.netty.channel.ExceptionEvent;
import org.jboss.netty.channel.MessageEvent;
import org.jboss.netty.channel.SimpleChannelUpstreamHandler;
import org.jboss.netty.channel.group.ChannelGroup;
import org.jboss.netty.channel.group.DefaultChannelGroup;
import org.jboss.netty.channel.socket.nio.NioServerSocketChannelFactory;
import org.jboss.netty.handler.codec.http.DefaultHttpResponse;
import org.jboss.netty.handler.codec.http.HttpChunkAggregator;
import org.jboss.netty.handler.codec.http.HttpHeaders;
import org.jboss.netty.handler.codec.http.HttpRequest;
import org.jboss.netty.handler.codec.http.HttpRequestDecoder;
import org.jboss.netty.handler.codec.http.HttpResponse;
import org.jboss.netty.handler.codec.http.HttpResponseEncoder;
import org.jboss.netty.handler.codec.http.HttpResponseStatus;
import org.jboss.netty.handler.codec.http.HttpVersion;

/**
 * A Netty 3 HTTP server as the field report's apps were written: decoder, encoder, aggregator, and an
 * application handler that counts every exception it sees. Keeps every connection alive (as that
 * report's backend did), so a balancer's health checks end in resets it sees.
 */
public final class Netty3HttpServer implements AutoCloseable {
  public final String name;
  public final AtomicInteger requests = new AtomicInteger();
  public final List<String> appExceptions = new CopyOnWriteArrayList<>();
  public final AtomicInteger resetNext = new AtomicInteger();
  public final QuietResetHandler quiet;
  private final NioServerSocketChannelFactory factory;
  private final Channel server;
  private final ChannelGroup connections = new DefaultChannelGroup();

  public Netty3HttpServer(String name, String host, boolean tether, IdleCloser.Factory idle) {
    this.name = name;
    this.quiet = tether ? new QuietResetHandler() : null;
    this.factory = new NioServerSocketChannelFactory(Executors.newCachedThreadPool(), Executors.newCachedThreadPool(), 1);
    ServerBootstrap b = new ServerBootstrap(factory);
    b.setOption("child.tcpNoDelay", true);
    b.setPipelineFactory(() -> {
      ChannelPipeline p = Channels.pipeline(new HttpRequestDecoder(), new HttpResponseEncoder());
      if (idle != null) {
        p.addLast("idle", idle.newHandler());
      }
      p.addLast("aggregator", new HttpChunkAggregator(1 << 20));
      p.addLast("app", new App());
      if (quiet != null) {
        p.addLast("quiet", quiet);
      }
      return p;
    });
    this.server = b.bind(new InetSocketAddress(host, 0));
  }

  public int port() {
    return ((InetSocketAddress) server.getLocalAddress()).getPort();
  }

  public String host() {
    return ((InetSocketAddress) server.getLocalAddress()).getHostString();
  }

  public String address() {
    return host() + ":" + port();
  }

  /** Resets (RST) every open connection. */
  public void resetAll() {
    for (Channel ch : connections) {
      ch.getConfig().setOption("soLinger", 0);
      ch.close();
    }
  }

  private final class App extends SimpleChannelUpstreamHandler {
    @Override
    public void channelConnected(ChannelHandlerContext ctx, ChannelStateEvent e) {
      connections.add(e.getChannel());
      ctx.sendUpstream(e);
    }

    @Override
    public void messageReceived(ChannelHandlerContext ctx, MessageEvent e) {
      requests.incrementAndGet();
      HttpRequest req = (HttpRequest) e.getMessage();
      if (resetNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        e.getChannel().getConfig().setOption("soLinger", 0);
        e.getChannel().close();
        return;
      }
      byte[] body = (req.getUri().startsWith("/health") ? "up" : "ok from " + name).getBytes(StandardCharsets.UTF_8);
      HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      res.setContent(ChannelBuffers.wrappedBuffer(body));
      HttpHeaders.setContentLength(res, body.length);
      // Always keep-alive, whatever the request asked (HTTP/1.0 checks included): the report's app.
      e.getChannel().write(res);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, ExceptionEvent e) {
      appExceptions.add(e.getCause().toString()); // what such apps do: log it (and drown in resets)
      e.getChannel().close();
    }
  }

  @Override
  public void close() {
    connections.close().awaitUninterruptibly();
    server.close().awaitUninterruptibly();
    factory.releaseExternalResources();
  }
}
