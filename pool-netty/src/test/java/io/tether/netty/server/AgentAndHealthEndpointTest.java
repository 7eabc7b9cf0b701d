package io.tether.netty.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.Loopback;
import io.tether.pool.haproxy.ServerStatus;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The agent-check responder and the health endpoint, read by a real HAProxy 2.6: what the server says
 * is what HAProxy's stats show, and HAProxy's own word on the state comes back to the server.
 */
@Tag("haproxy")
class AgentAndHealthEndpointTest {
  private EventLoopGroup group;
  private final ServerStatus status = new ServerStatus();

  @BeforeEach
  void setUp() {
    group = new NioEventLoopGroup(1);
  }

  @AfterEach
  void tearDown() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** An HTTP server with the health endpoint in front of an application that answers "ok". */
  private Channel app(String host, boolean disableOn404) {
    return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new HealthEndpoint(status, "/health", disableOn404),
                new HttpObjectAggregator(1 << 16), new SimpleChannelInboundHandler<FullHttpRequest>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                    FullHttpResponse res = new DefaultFullHttpResponse(req.protocolVersion(), HttpResponseStatus.OK,
                        Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII));
                    HttpUtil.setContentLength(res, 2);
                    ctx.writeAndFlush(res);
                  }
                });
          }
        }).bind(new InetSocketAddress(host, 0)).syncUninterruptibly().channel();
  }

  private Channel agent(String host) {
    return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new AgentResponder(status)).bind(new InetSocketAddress(host, 0)).syncUninterruptibly().channel();
  }

  private static int port(Channel server) {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  private static Map<String, String> stat(Haproxy lb) {
    try {
      return lb.stat("be", "app1");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void awaitStatus(Haproxy lb, String prefix) {
    Await.until(Duration.ofSeconds(5), () -> stat(lb).get("status").startsWith(prefix),
        () -> "HAProxy says " + stat(lb).get("status") + ", expected " + prefix + ": " + stat(lb));
  }

  @Test
  void haproxyFollowsTheAgentThroughDrainWeightMaintenanceAndDown() throws Exception {
    Channel app = app(Loopback.APP1, false);
    Channel agent = agent(Loopback.APP1);
    int port = Loopback.freePort(Loopback.LB);
    try (Haproxy lb = Haproxy.start("defaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n"
        + "  timeout server 5s\nfrontend fe\n  bind " + Loopback.LB + ":" + port + "\n  default_backend be\n"
        + "backend be\n  server app1 " + Loopback.APP1 + ":" + port(app) + " weight 100 check inter 100 "
        + "agent-check agent-port " + port(agent) + " agent-inter 100\n")) {
      awaitStatus(lb, "UP");
      assertEquals("100", stat(lb).get("weight"));

      status.weightPercent(50);
      Await.until(Duration.ofSeconds(5), () -> "50".equals(stat(lb).get("weight")), () -> stat(lb).toString());

      status.state(ServerStatus.State.DRAINING);
      awaitStatus(lb, "DRAIN"); // HAProxy's stats keep showing the weight (50) beside the DRAIN status

      status.state(ServerStatus.State.SERVING).weightPercent(-1);
      awaitStatus(lb, "UP");

      status.state(ServerStatus.State.MAINTENANCE);
      awaitStatus(lb, "MAINT");

      status.state(ServerStatus.State.SERVING);
      awaitStatus(lb, "UP");

      status.state(ServerStatus.State.DOWN);
      awaitStatus(lb, "DOWN");
    } finally {
      app.close().syncUninterruptibly();
      agent.close().syncUninterruptibly();
    }
  }

  @Test
  void theHealthEndpointDrainsWith404AndHearsHaproxyAcknowledgeIt() throws Exception {
    Channel app = app(Loopback.APP1, true);
    int port = Loopback.freePort(Loopback.LB);
    try (Haproxy lb = Haproxy.start("defaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n"
        + "  timeout server 5s\nfrontend fe\n  bind " + Loopback.LB + ":" + port + "\n  default_backend be\n"
        + "backend be\n  option httpchk GET /health\n  http-check send-state\n  http-check disable-on-404\n"
        + "  server app1 " + Loopback.APP1 + ":" + port(app) + " check inter 100 fall 1 rise 1\n")) {
      awaitStatus(lb, "UP");
      Await.until(Duration.ofSeconds(5), () -> "UP".equals(status.balancerState()), status::toString);
      assertTrue(status.balancerHeader().contains("name=be/app1"), status.balancerHeader());

      status.state(ServerStatus.State.DRAINING);
      awaitStatus(lb, "NOLB");
      Await.until(Duration.ofSeconds(5), status::drainAcknowledged, status::toString);

      status.state(ServerStatus.State.SERVING);
      awaitStatus(lb, "UP");
      // The application behind the endpoint still answers everything else.
      try (Socket s = new Socket(Loopback.LB, port)) {
        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(answer.startsWith("HTTP/1.1 200") && answer.endsWith("ok"), answer);
      }
    } finally {
      app.close().syncUninterruptibly();
    }
  }

  @Test
  @Tag("netty3")
  void theNetty3ResponderAnswersTheSameLine() throws Exception {
    org.jboss.netty.bootstrap.ServerBootstrap sb = new org.jboss.netty.bootstrap.ServerBootstrap(
        new org.jboss.netty.channel.socket.nio.NioServerSocketChannelFactory());
    sb.setPipelineFactory(() -> org.jboss.netty.channel.Channels.pipeline(new io.tether.netty3.AgentResponder(status)));
    org.jboss.netty.channel.Channel server = sb.bind(new InetSocketAddress(Loopback.APP1, 0));
    try {
      int p = ((InetSocketAddress) server.getLocalAddress()).getPort();
      status.weightPercent(75).maxconn(30);
      assertEquals("up ready 75% maxconn:30\n", readAll(p));
      status.state(ServerStatus.State.DRAINING);
      assertEquals("drain\n", readAll(p));
    } finally {
      server.close().awaitUninterruptibly();
      sb.releaseExternalResources();
    }
  }

  private static String readAll(int port) throws Exception {
    try (Socket s = new Socket(Loopback.APP1, port)) {
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  @Test
  @Tag("netty3")
  void theNetty3HealthEndpointAnswersByStateAndReadsHaproxysHeader() throws Exception {
    org.jboss.netty.bootstrap.ServerBootstrap sb = new org.jboss.netty.bootstrap.ServerBootstrap(
        new org.jboss.netty.channel.socket.nio.NioServerSocketChannelFactory());
    sb.setPipelineFactory(() -> org.jboss.netty.channel.Channels.pipeline(
        new org.jboss.netty.handler.codec.http.HttpServerCodec(),
        new io.tether.netty3.HealthEndpoint(status, "/health", true)));
    org.jboss.netty.channel.Channel server = sb.bind(new InetSocketAddress(Loopback.APP1, 0));
    try {
      int p = ((InetSocketAddress) server.getLocalAddress()).getPort();
      assertTrue(check(p, "UP 1/1; name=be/app1").startsWith("HTTP/1.1 200"));
      assertEquals("UP", status.balancerState());
      status.state(ServerStatus.State.DRAINING);
      assertTrue(check(p, "NOLB; name=be/app1").startsWith("HTTP/1.1 404"));
      assertTrue(status.drainAcknowledged());
      status.state(ServerStatus.State.DOWN);
      assertTrue(check(p, "DOWN; name=be/app1").startsWith("HTTP/1.1 503"));
    } finally {
      server.close().awaitUninterruptibly();
      sb.releaseExternalResources();
    }
  }

  private static String check(int port, String state) throws Exception {
    try (Socket s = new Socket(Loopback.APP1, port)) {
      s.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: x\r\nX-Haproxy-Server-State: " + state
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }
  }
}
