package io.tether.netty.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelPoolHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.charset.StandardCharsets;
import io.tether.netty.testing.Nginx;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.netty.TetherChannelPool;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.ConfigException;
import io.tether.pool.PoolConfig;
import io.tether.pool.haproxy.HaproxyConfig;
import io.tether.pool.metrics.micrometer.PoolMeters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the code of docs/getting-started.md (the shared snippets of README, netty.md and netty3.md are
 * run by their own tests) and checks its prose against the code: the dependency coordinates, the
 * printed values, the error message.
 */
@Timeout(30)
class GettingStartedTest {
  private static final Path GUIDE = DocSnippets.root().resolve("docs/getting-started.md");

  private static Path resource(String name) throws Exception {
    return Path.of(GettingStartedTest.class.getResource("/docs/" + name).toURI());
  }

  @Test
  void theDependencyBlockNamesThisBuild() throws Exception {
    String guide = Files.readString(GUIDE);
    String pom = Files.readString(DocSnippets.root().resolve("pom.xml"));
    Matcher version = Pattern.compile("<artifactId>tether-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
    assertTrue(version.find());
    assertTrue(guide.contains("<groupId>io.tether</groupId>\n  <artifactId>pool-netty</artifactId>\n  <version>"
        + version.group(1) + "</version>"), "docs/getting-started.md names io.tether:pool-netty:" + version.group(1));
  }

  /** The handler of the channel-pool example: hands each response to whoever waits for it. */
  // snippet: gs-responses-handler
  static final class Responses extends SimpleChannelInboundHandler<FullHttpResponse> {
    private CompletableFuture<FullHttpResponse> next;

    CompletableFuture<FullHttpResponse> next() {
      next = new CompletableFuture<>();
      return next;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
      next.complete(res.retain());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      next.completeExceptionally(cause); // StaleConnectionException, ResponseTimeoutException, ...
      ctx.close();
    }
  }
  // end-snippet

  /**
   * Against a real nginx when it is installed (the test script installs it): nginx answers an HTTP/1.1
   * request without {@code Host} with 400, as it does behind HAProxy, so the example must send one.
   */
  @Test
  void channelPoolExample() throws Exception {
    Nginx nginx = Nginx.available() ? Nginx.start(Loopback.LB, "server { listen @ADDR@; root @DIR@/www; }",
        www -> write(www.resolve("index.html"), "hello\n")) : null;
    TestHttpServer standIn = nginx == null ? TestHttpServer.plain("app1", Loopback.LB) : null;
    int lbPort = nginx != null ? nginx.port : standIn.port();
    EventLoopGroup group = new NioEventLoopGroup(1);
    java.io.PrintStream stdout = System.out;
    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    try {
      System.setOut(new java.io.PrintStream(printed, true, StandardCharsets.UTF_8));
      // snippet: gs-channel-pool
      Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .remoteAddress("127.0.0.1", lbPort);
      ChannelPoolHandler handler = new AbstractChannelPoolHandler() {
        @Override
        public void channelCreated(Channel ch) {
          ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), new Responses());
        }
      };
      TetherChannelPool pool = new TetherChannelPool(bootstrap, handler, PoolConfig.builder()
          .maxConnections(50)
          .lbIdleTimeout(Duration.ofSeconds(10)) // HAProxy: timeout http-keep-alive 10s
          .build());

      Channel ch = pool.acquire().get(5, TimeUnit.SECONDS); // on an event loop: addListener, never get
      try {
        CompletableFuture<FullHttpResponse> response = ch.pipeline().get(Responses.class).next();
        FullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        get.headers().set(HttpHeaderNames.HOST, "127.0.0.1:" + lbPort); // HTTP/1.1 requires it (else 400)
        ch.writeAndFlush(get);
        FullHttpResponse res = response.get(5, TimeUnit.SECONDS);
        System.out.println(res.status());
        res.release();
      } finally {
        pool.release(ch); // always: a channel that broke is closed instead of reused
      }
      // end-snippet
      System.setOut(stdout);
      assertEquals("200 OK", printed.toString(StandardCharsets.UTF_8).trim(), nginx != null ? "nginx" : "stand-in");
      assertEquals(1, pool.stats().idle());
      pool.close();
    } finally {
      System.setOut(stdout);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      if (nginx != null) {
        nginx.close();
      } else {
        standIn.close();
      }
    }
  }

  private static void write(java.nio.file.Path file, String text) {
    try {
      java.nio.file.Files.writeString(file, text);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void metersExample() throws Exception {
    try (TestHttpServer haproxyStandIn = TestHttpServer.plain("app1", Loopback.LB)) {
      int lbPort = haproxyStandIn.port();
      EventLoopGroup group = new NioEventLoopGroup(1);
      Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class);
      try {
        // snippet: gs-meters
        MeterRegistry registry = new SimpleMeterRegistry(); // or your Prometheus registry
        TetherHttpClient client = TetherHttpClient.builder(bootstrap)
            .config(PoolConfig.builder().name("orders-api").server("lb", "127.0.0.1", lbPort).build())
            .metrics(new PoolMeters(registry))
            .build();
        client.send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"))
            .get(5, TimeUnit.SECONDS).release();

        double idle = registry.get("tether.pool.connections").tags("pool", "orders-api", "state", "idle")
            .gauge().value();
        double opened = registry.get("tether.pool.connections.opened").tags("pool", "orders-api")
            .counter().count();
        System.out.printf("idle %.0f, opened %.0f%n", idle, opened); // idle 1, opened 1
        // end-snippet
        assertEquals(1, idle);
        assertEquals(1, opened);
        client.close();
        assertTrue(registry.find("tether.pool.connections").gauges().isEmpty(), "meters go with the pool");
      } finally {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      }
    }
  }

  @Test
  void meterWiringOfMetricsMd() throws Exception {
    try (TestHttpServer server = TestHttpServer.plain("app1", Loopback.LB)) {
      EventLoopGroup group = new NioEventLoopGroup(1);
      Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class);
      ChannelPoolHandler handler = new AbstractChannelPoolHandler() {
        @Override
        public void channelCreated(Channel ch) {}
      };
      PoolConfig config = PoolConfig.builder().name("api").server("app1", server.host(), server.port()).build();
      MeterRegistry registry = new SimpleMeterRegistry();
      try {
        // snippet: metrics-wiring
        TetherChannelPool pool = TetherChannelPool.builder(bootstrap).handler(handler).config(config)
            .metrics(new PoolMeters(registry))
            .build();
        // HTTP client: TetherHttpClient.builder(bootstrap).metrics(new PoolMeters(registry))...
        // the engine:  ConnectionPool.builder(connector).metrics(new PoolMeters(registry))...
        // end-snippet
        pool.release(pool.acquire().get(5, TimeUnit.SECONDS));
        assertEquals(1, registry.get("tether.pool.connections.opened").tags("pool", "api").counter().count());
        pool.close();
      } finally {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      }
    }
  }

  @Test
  void propertiesExample() throws Exception {
    Path file = resource("getting-started.properties");
    // snippet: gs-properties
    PoolConfig config = PoolConfig.load(file); // defaults, then the file, then -Dtether.pool.* overrides
    // end-snippet
    assertEquals("orders-api", config.name());
    assertEquals(Duration.ofSeconds(9), config.eviction().evictAfter());
    assertEquals(100, config.maxConnections());
    assertEquals(Duration.ofSeconds(5), config.responseTimeout());

    Properties typo = new Properties();
    typo.setProperty("tether.pool.evict-afer", "9m");
    ConfigException e = assertThrows(ConfigException.class, () -> PoolConfig.fromProperties(typo));
    assertTrue(Files.readString(GUIDE).contains(e.getMessage()), "the guide shows the real message: " + e.getMessage());
    Properties tooLate = new Properties();
    tooLate.setProperty("tether.pool.lb-idle-timeout", "10m");
    tooLate.setProperty("tether.pool.evict-after", "11m");
    e = assertThrows(ConfigException.class, () -> PoolConfig.fromProperties(tooLate));
    assertTrue(Files.readString(GUIDE).contains(e.getMessage()), "the guide shows the real message: " + e.getMessage());
  }

  @Test
  void haproxyExample() throws Exception {
    Path haproxyCfg = resource("getting-started-haproxy.cfg");
    // snippet: gs-haproxy
    HaproxyConfig cfg = HaproxyConfig.read(haproxyCfg);
    PoolConfig viaHaproxy = PoolConfig.builder()
        .apply(cfg.frontend("api")) // lb-idle-timeout: when HAProxy closes an idle connection of api, 10s
        .server("lb", "127.0.0.1", 8080)
        .build();
    System.out.println(viaHaproxy.eviction().evictAfter()); // PT9S
    System.out.println(cfg.explain("api")); // each derived value, the lines it came from, and warnings
    // end-snippet
    assertEquals(Duration.ofSeconds(10), viaHaproxy.eviction().lbIdleTimeout());
    assertEquals(Duration.ofSeconds(9), viaHaproxy.eviction().evictAfter());
    assertEquals("10s between requests: timeout http-keep-alive 10s (defaults, line 8), below timeout client 30s "
        + "(defaults, line 6)", cfg.clientIdleTimeout("api").explanation().get(0));

    // snippet: gs-haproxy-backend
    // Tether balancing across the servers itself, with the backend's checks and settings:
    PoolConfig direct = PoolConfig.builder()
        .apply(cfg.backend("app"))             // servers, checks as HAProxy runs them, balance, redispatch
        .lbIdleTimeout(Duration.ofSeconds(60)) // the servers' own keep-alive timeout
        .build();
    System.out.println(direct.servers()); // [app1(127.0.0.29:9000), app2(127.0.0.38:9000)]
    // end-snippet
    assertEquals("[app1(127.0.0.29:9000), app2(127.0.0.38:9000)]", direct.servers().toString());
    assertTrue(direct.healthCheck().enabled());
    assertEquals(Duration.ofSeconds(2), direct.healthCheck().inter());
    assertEquals(3, direct.healthCheck().fall());
  }
}
