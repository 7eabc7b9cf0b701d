package io.tether.netty.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelPool;
import io.netty.channel.pool.ChannelPoolHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.netty.TetherChannelPool;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.server.IdleCloser;
import io.tether.netty.server.QuietResetHandler;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.PoolConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs the README's code, and checks the README shows exactly this code. */
@Timeout(30)
class ReadmeExamplesTest {

  @Test
  void everyDocumentedSnippetIsTheCodeThatRuns() throws Exception {
    Path root = DocSnippets.root();
    Map<String, String> code = DocSnippets.inSources(List.of(
        root.resolve("pool-netty/src/test/java"), root.resolve("pool-netty/src/test/resources"),
        root.resolve("pool-core/src/test/java")));
    List<Path> docs = new java.util.ArrayList<>(List.of(root.resolve("README.md")));
    try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(root.resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    int checked = 0;
    for (Path doc : docs) {
      for (Map.Entry<String, String> e : DocSnippets.inMarkdown(doc).entrySet()) {
        assertTrue(code.containsKey(e.getKey()), "no source for snippet " + e.getKey() + " in " + doc);
        assertEquals(code.get(e.getKey()), e.getValue(), "snippet " + e.getKey() + " in " + doc + " differs from its source");
        checked++;
      }
    }
    assertFalse(checked == 0, "documentation has snippets");
  }

  @Test
  void everyCodeBlockOfTheDocsIsCheckedByATest() throws Exception {
    Path root = DocSnippets.root();
    List<String> unchecked = new java.util.ArrayList<>(DocSnippets.unchecked(root.resolve("README.md")));
    try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(root.resolve("docs"))) {
      for (Path doc : s.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
        unchecked.addAll(DocSnippets.unchecked(doc));
      }
    }
    assertEquals(List.of(), unchecked, "code blocks without a <!-- snippet: --> marker and a test behind it");
  }

  @Test
  void httpClientExample() throws Exception {
    try (TestHttpServer haproxyStandIn = TestHttpServer.plain("app1", Loopback.LB)) {
      int lbPort = haproxyStandIn.port();
      EventLoopGroup group = new NioEventLoopGroup(1);
      try {
        // snippet: readme-client
        TetherHttpClient client = TetherHttpClient.builder(
                new Bootstrap().group(group).channel(NioSocketChannel.class))
            .config(PoolConfig.builder()
                .server("lb", "127.0.0.1", lbPort)
                .lbIdleTimeout(Duration.ofSeconds(10)) // HAProxy: timeout http-keep-alive 10s
                .build())
            .build();

        FullHttpResponse res = client
            .send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"))
            .get(5, TimeUnit.SECONDS);
        System.out.println(res.status() + " " + res.content().toString(StandardCharsets.UTF_8));
        res.release();
        // end-snippet
        assertEquals(Duration.ofSeconds(9), client.pool().config().eviction().evictAfter());
        client.close();
      } finally {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      }
    }
  }

  @Test
  void channelPoolExample() throws Exception {
    try (TestHttpServer server = TestHttpServer.plain("app1", Loopback.LB)) {
      EventLoopGroup group = new NioEventLoopGroup(1);
      Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .remoteAddress(server.host(), server.port());
      ChannelPoolHandler handler = new AbstractChannelPoolHandler() {
        @Override
        public void channelCreated(Channel ch) {}
      };
      try {
        // snippet: readme-channel-pool
        // was: ChannelPool pool = new FixedChannelPool(bootstrap, handler, 50);
        ChannelPool pool = new TetherChannelPool(bootstrap, handler, 50);
        // Netty's semantics, plus one thing: a channel idle 45s (9/10 of HAProxy's default 50s) is
        // replaced before the balancer can reap it. With your balancer's real timeout:
        ChannelPool tuned = new TetherChannelPool(bootstrap, handler, PoolConfig.builder()
            .maxConnections(50)
            .lbIdleTimeout(Duration.ofMinutes(10)) // evict at 9m, before HAProxy's 10m
            .build());
        // end-snippet
        for (ChannelPool p : List.of(pool, tuned)) {
          Channel ch = p.acquire().get(5, TimeUnit.SECONDS);
          assertTrue(ch.isActive());
          p.release(ch).sync();
          p.close();
        }
        assertEquals(Duration.ofSeconds(45), ((TetherChannelPool) pool).config().eviction().evictAfter());
        assertEquals(Duration.ofMinutes(9), ((TetherChannelPool) tuned).config().eviction().evictAfter());
      } finally {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      }
    }
  }

  @Test
  void serverExample() throws Exception {
    EventLoopGroup group = new NioEventLoopGroup(1);
    ChannelHandler app = new App();
    try {
      // snippet: readme-server
      QuietResetHandler quiet = new QuietResetHandler(); // one, shared by all channels
      IdleCloser.Factory idle = IdleCloser.beforeBalancerTimeout(Duration.ofSeconds(30), 0.9); // timeout server 30s

      ServerBootstrap server = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new HttpServerCodec(), idle.newHandler(),
                  new HttpObjectAggregator(1 << 20), app, quiet); // quiet goes last
            }
          });
      // end-snippet
      Channel bound = server.bind(Loopback.LB, 0).sync().channel();
      bound.close().sync();
      assertEquals(0, quiet.resets());
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @ChannelHandler.Sharable
  private static final class App extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      HttpUtil.setContentLength(res, 0);
      ctx.writeAndFlush(res);
    }
  }
}
