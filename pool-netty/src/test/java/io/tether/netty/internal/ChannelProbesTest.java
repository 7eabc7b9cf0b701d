package io.tether.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.pool.Endpoint;
import io.tether.pool.HealthCheck;
import io.tether.pool.ServerState;
import io.tether.pool.spi.HealthProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Netty 4 health probe over Netty's in-VM transport: a TCP check passes on a connect, an HTTP check
 * judges the answer (status, body, 404 as drain), and a server that never answers fails the check at
 * {@code inter} without {@code timeout check} and at {@code timeout check} with it, naming which.
 */
@Timeout(10)
class ChannelProbesTest {
  private final EventLoopGroup group = new DefaultEventLoopGroup(1);
  private final LocalAddress address = new LocalAddress("probes-" + System.nanoTime());
  private final Endpoint endpoint = Endpoint.of("app1", address);
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private Channel server;

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** An HTTP server answering every request with {@code status} and {@code body}; null status: silence. */
  private void serve(HttpResponseStatus status, String body) throws InterruptedException {
    server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 16),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                    requests.add(req.method() + " " + req.uri() + " " + req.protocolVersion());
                    if (status == null) {
                      return;
                    }
                    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                        Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
                    HttpUtil.setContentLength(res, res.content().readableBytes());
                    ctx.writeAndFlush(res);
                  }
                });
          }
        }).bind(address).sync().channel();
  }

  private ServerState probe(HealthCheck check) throws Exception {
    HealthProbe p = ChannelProbes.of(new Bootstrap().group(group).channel(LocalChannel.class), null);
    CompletableFuture<ServerState> f = p.check(endpoint, check).toCompletableFuture();
    return f.get(5, TimeUnit.SECONDS);
  }

  private Throwable failure(HealthCheck check) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> probe(check));
    return e.getCause();
  }

  private static HealthCheck.Builder http() {
    return HealthCheck.builder().enabled(true).http("GET", "/health").inter(Duration.ofMillis(300));
  }

  @Test
  void aTcpCheckPassesOnAConnectAndFailsWithoutAListener() throws Exception {
    HealthCheck tcp = HealthCheck.builder().enabled(true).tcp().build();
    failure(tcp); // nothing bound yet: the connect is refused
    serve(null, "");
    assertEquals(ServerState.UP, probe(tcp));
    assertEquals(List.of(), requests, "a TCP check sends nothing");
  }

  @Test
  void anHttpCheckPassesOn2xxAndFailsOn5xxNamingTheAnswer() throws Exception {
    serve(HttpResponseStatus.SERVICE_UNAVAILABLE, "busy");
    Throwable t = failure(http().build());
    assertInstanceOf(IOException.class, t);
    assertTrue(t.getMessage().contains("GET /health answered 503"), t.getMessage());
    assertEquals(List.of("GET /health HTTP/1.1"), requests);
  }

  @Test
  void anHttpCheckPassesOn200() throws Exception {
    serve(HttpResponseStatus.OK, "up");
    assertEquals(ServerState.UP, probe(http().build()));
  }

  @Test
  void aBodyExpectationReadsTheBody() throws Exception {
    serve(HttpResponseStatus.OK, "status: degraded");
    HealthCheck wantsUp = http().httpExpect(HealthCheck.Expect.parse("string ok")).build();
    assertTrue(failure(wantsUp).getMessage().contains("answered 200"), "200 without the string fails");
    HealthCheck wantsDegraded = http().httpExpect(HealthCheck.Expect.parse("string degraded")).build();
    assertEquals(ServerState.UP, probe(wantsDegraded));
  }

  @Test
  void a404DrainsWithDisableOn404AndFailsWithout() throws Exception {
    serve(HttpResponseStatus.NOT_FOUND, "");
    assertEquals(ServerState.DRAIN, probe(http().httpDisableOn404(true).build()));
    assertInstanceOf(IOException.class, failure(http().build()));
  }

  @Test
  void aSilentServerFailsAtInterWithoutTimeoutCheck() throws Exception {
    serve(null, "");
    Throwable t = failure(http().build());
    assertTrue(t.getMessage().contains("no answer within inter 300ms"), t.getMessage());
  }

  @Test
  void aSilentServerFailsAtTimeoutCheckWhenSet() throws Exception {
    serve(null, "");
    Throwable t = failure(http().timeout(Duration.ofMillis(100)).build());
    assertTrue(t.getMessage().contains("no answer within timeout 100ms"), t.getMessage());
  }

  @Test
  void anSslCheckWithoutTlsSettingsFailsSayingSo() {
    Throwable t = failure(HealthCheck.builder().enabled(true).tcp().ssl(true).build());
    assertInstanceOf(IllegalStateException.class, t);
    assertTrue(t.getMessage().contains("check.ssl"), t.getMessage());
  }
}
