package io.tether.netty.testing;

import io.tether.netty3.AgentResponder;
import io.tether.netty3.HealthEndpoint;
import io.tether.netty3.QuietResetHandler;
import io.tether.netty3.ServerDrain;
import io.tether.pool.haproxy.DrainSequence;
import io.tether.pool.haproxy.ServerStatus;
import io.tether.pool.spi.Scheduler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.netty.bootstrap.ServerBootstrap;
import org.jboss.netty.buffer.ChannelBuffers;
import org.jboss.netty.channel.Channel;
import org.jboss.netty.channel.ChannelHandlerContext;
import org.jboss.netty.channel.Channels;
import org.jboss.netty.channel.ExceptionEvent;
import org.jboss.netty.channel.MessageEvent;
import org.jboss.netty.channel.SimpleChannelUpstreamHandler;
import org.jboss.netty.channel.group.ChannelGroup;
import org.jboss.netty.channel.group.DefaultChannelGroup;
import org.jboss.netty.channel.socket.nio.NioServerSocketChannelFactory;
import org.jboss.netty.handler.codec.http.DefaultHttpResponse;
import org.jboss.netty.handler.codec.http.HttpHeaders;
import org.jboss.netty.handler.codec.http.HttpRequest;
import org.jboss.netty.handler.codec.http.HttpResponse;
import org.jboss.netty.handler.codec.http.HttpResponseStatus;
import org.jboss.netty.handler.codec.http.HttpServerCodec;

/** {@link DrainableBackend} on Netty 3: codec, drain tracker, health endpoint, application, quiet resets. */
public final class Netty3DrainableBackend implements Restartable {
  private final String name;
  private final ServerStatus status = new ServerStatus();
  private final AtomicInteger served = new AtomicInteger();
  private final AtomicInteger exceptions = new AtomicInteger();
  private final java.util.Queue<String> sample = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final ServerBootstrap http = new ServerBootstrap(new NioServerSocketChannelFactory());
  private final ServerBootstrap agentBootstrap = new ServerBootstrap(new NioServerSocketChannelFactory());
  private final ChannelGroup accepted = new DefaultChannelGroup();
  private final Channel listener;
  private final Channel agent;
  private final ServerDrain drain;

  /** On {@code host}:{@code port} (0 for any), with an agent responder if {@code agentPort} >= 0. */
  public Netty3DrainableBackend(String name, String host, int port, int agentPort, ScheduledExecutorService timer) {
    this.name = name;
    ServerDrain[] holder = new ServerDrain[1];
    QuietResetHandler quiet = new QuietResetHandler();
    http.setOption("reuseAddress", true);
    http.setPipelineFactory(() -> Channels.pipeline(new HttpServerCodec(), holder[0].handler(),
        new HealthEndpoint(status, "/health", true), new SimpleChannelUpstreamHandler() {
          @Override
          public void channelOpen(ChannelHandlerContext ctx, org.jboss.netty.channel.ChannelStateEvent e) throws Exception {
            accepted.add(e.getChannel());
            super.channelOpen(ctx, e);
          }

          @Override
          public void messageReceived(ChannelHandlerContext ctx, MessageEvent e) {
            if (!(e.getMessage() instanceof HttpRequest)) {
              return;
            }
            served.incrementAndGet();
            HttpResponse res = new DefaultHttpResponse(((HttpRequest) e.getMessage()).getProtocolVersion(),
                HttpResponseStatus.OK);
            res.setContent(ChannelBuffers.copiedBuffer(name, StandardCharsets.US_ASCII));
            HttpHeaders.setContentLength(res, name.length());
            e.getChannel().write(res);
          }

          @Override
          public void exceptionCaught(ChannelHandlerContext ctx, ExceptionEvent e) {
            if (exceptions.incrementAndGet() <= 3) {
              sample.add(e.getCause() + " on " + e.getChannel());
            }
            e.getChannel().close();
          }
        }, quiet));
    listener = bind(http, host, port);
    agentBootstrap.setOption("reuseAddress", true);
    agentBootstrap.setPipelineFactory(() -> Channels.pipeline(new AgentResponder(status)));
    agent = agentPort < 0 ? null : bind(agentBootstrap, host, agentPort);
    drain = new ServerDrain(status, listener, Scheduler.of(timer), Duration.ofSeconds(1), Duration.ofSeconds(10));
    holder[0] = drain;
  }

  /** Binds, retrying for up to 2 s, as {@link DrainableBackend} does. */
  private static Channel bind(ServerBootstrap b, String host, int port) {
    for (int attempt = 0; ; attempt++) {
      try {
        return b.bind(new InetSocketAddress(host, port));
      } catch (org.jboss.netty.channel.ChannelException e) {
        if (port == 0 || attempt >= 40) {
          throw e;
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ServerStatus status() {
    return status;
  }

  @Override
  public int served() {
    return served.get();
  }

  @Override
  public int appExceptions() {
    return exceptions.get();
  }

  @Override
  public java.util.List<String> appExceptionSample() {
    return java.util.List.copyOf(sample);
  }

  @Override
  public int port() {
    return ((InetSocketAddress) listener.getLocalAddress()).getPort();
  }

  @Override
  public int agentPort() {
    return ((InetSocketAddress) agent.getLocalAddress()).getPort();
  }

  @Override
  public CompletableFuture<DrainSequence.Report> drain() {
    return drain.start();
  }

  @Override
  public void stopNow() {
    listener.close().awaitUninterruptibly();
    accepted.close().awaitUninterruptibly();
  }

  @Override
  public void close() {
    listener.close().awaitUninterruptibly();
    if (agent != null) {
      agent.close().awaitUninterruptibly();
    }
    accepted.close().awaitUninterruptibly();
    http.releaseExternalResources();
    agentBootstrap.releaseExternalResources();
  }
}
