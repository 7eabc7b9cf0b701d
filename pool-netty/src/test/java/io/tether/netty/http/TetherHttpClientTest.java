package io.tether.netty.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.PoolConfig;
import io.tether.pool.ResponseTimeoutException;
import io.tether.pool.StaleConnectionException;
import io.tether.pool.testing.RecordingListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TetherHttpClientTest {
  private EventLoopGroup group;
  private TestHttpServer server;
  private TetherHttpClient client;
  private final RecordingListener events = new RecordingListener();

  @BeforeEach
  void setUp() throws Exception {
    group = new NioEventLoopGroup(1);
    server = TestHttpServer.plain("app1", Loopback.APP1);
  }

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.pool().closeAsync();
    }
    server.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
      new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

  private TetherHttpClient client(PoolConfig.Builder config, boolean retry) {
    client = TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
        .metrics(new io.tether.pool.metrics.micrometer.PoolMeters(registry))
        .config(config.server("app1", server.host(), server.port()).build())
        .retryIdempotentRequests(retry)
        .listener(events)
        .maxResponseBytes(64 * 1024)
        .requestTimeout(Duration.ofMillis(500))
        .build();
    return client;
  }

  private static FullHttpRequest get(String uri) {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
  }

  private static String body(CompletableFuture<FullHttpResponse> f) throws Exception {
    FullHttpResponse r = f.get(10, TimeUnit.SECONDS);
    try {
      assertEquals(200, r.status().code());
      return r.content().toString(StandardCharsets.UTF_8);
    } finally {
      r.release();
    }
  }

  private static Throwable failure(CompletableFuture<?> f) throws Exception {
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> f.get(10, TimeUnit.SECONDS));
    return e.getCause();
  }

  @Test
  void keepAliveRequestsShareOneConnection() throws Exception {
    client(PoolConfig.builder(), true);
    for (int i = 0; i < 3; i++) {
      assertEquals("ok from app1", body(client.send(get("/"))));
    }
    assertEquals(1, server.accepted.get());
    assertEquals(1, client.stats().idle());
  }

  @Test
  void connectionCloseFromTheServerIsNotReused() throws Exception {
    client(PoolConfig.builder(), true);
    server.closeAfterResponse = true;
    body(client.send(get("/")));
    body(client.send(get("/")));
    Await.until("two connections", Duration.ofSeconds(5), () -> server.accepted.get() == 2);
    assertEquals(0, client.stats().total());
  }

  @Test
  void connectionCloseIsHonouredEvenIfTheServerLeavesTheConnectionOpen() throws Exception {
    // Without the client's own Connection: close handling the connection would be reused here: the
    // server never closes it, so no peer close can hide the branch.
    client(PoolConfig.builder(), true);
    server.saysCloseButStaysOpen = true;
    body(client.send(get("/")));
    body(client.send(get("/")));
    assertEquals(2, server.accepted.get(), "each request on its own connection");
    Await.until(Duration.ofSeconds(5), () -> events.matching("closed").size() == 2, () -> events.events.toString());
    assertEquals(List.of("closed app1 peer-closed", "closed app1 peer-closed"), events.matching("closed"));
  }

  @Test
  void keepAliveTimeoutFromTheServerCapsTheIdleTime() throws Exception {
    client(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)), true);
    server.keepAliveHeader = "timeout=1, max=100";
    body(client.send(get("/")));
    // evict-after is 9m, but the server keeps idle connections only 1s: evicted at 1s less the margin.
    Await.until(Duration.ofSeconds(3), () -> !events.matching("closed").isEmpty(), () -> client.stats().toString());
    assertEquals(List.of("closed app1 idle-evicted"), events.matching("closed"));
    assertEquals(0, client.stats().total());
  }

  @Test
  void staleIdempotentRequestIsRetriedOnceOnAFreshConnection() throws Exception {
    client(PoolConfig.builder(), true);
    body(client.send(get("/warm")));
    server.resetNext.set(1);
    assertEquals("ok from app1", body(client.send(get("/"))));
    assertEquals(1, client.retries());
    assertEquals(1, registry.get("tether.pool.retries").tags("reason", "stale").counter().count());
    Await.until("a second connection", Duration.ofSeconds(5), () -> server.accepted.get() == 2);
    assertEquals(List.of("closed app1 peer-reset"), events.matching("closed"));
  }

  @Test
  void staleRequestFailsTypedWhenRetryIsOff() throws Exception {
    client(PoolConfig.builder(), false);
    server.resetNext.set(1);
    StaleConnectionException e = assertInstanceOf(StaleConnectionException.class, failure(client.send(get("/"))));
    assertTrue(e.peerReset());
    assertTrue(e.requestFullyWritten());
    assertEquals(0, client.retries());
  }

  @Test
  void nonIdempotentRequestIsNeverRetried() throws Exception {
    client(PoolConfig.builder(), true);
    server.resetNext.set(1);
    FullHttpRequest post = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/orders",
        Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8));
    post.headers().set("content-length", 2);
    assertInstanceOf(StaleConnectionException.class, failure(client.send(post)));
    assertEquals(1, server.requests.get(), "the POST reached the server once and only once");
    assertEquals(0, post.refCnt(), "the request was released");
  }

  @Test
  void responseTimeoutClosesTheConnectionAsBroken() throws Exception {
    client(PoolConfig.builder(), false);
    server.ignoreNext.set(1);
    ResponseTimeoutException e = assertInstanceOf(ResponseTimeoutException.class, failure(client.send(get("/"))));
    assertEquals("app1", e.endpointName());
    Await.until("closed", Duration.ofSeconds(5), () -> !events.matching("closed").isEmpty());
    assertEquals(List.of("closed app1 broken"), events.matching("closed"));
    assertEquals("ok from app1", body(client.send(get("/"))));
  }

  @Test
  void aResponseTimeoutCountsFromItsOwnRequestNotFromAnEarlierOneOnTheChannel() throws Exception {
    client(PoolConfig.builder(), false);
    body(client.send(get("/first"))); // arms the channel's deadline check for 500ms from now
    Thread.sleep(300); // the gap under test, not a wait for a condition
    server.ignoreNext.set(1);
    long sent = System.nanoTime();
    assertInstanceOf(ResponseTimeoutException.class, failure(client.send(get("/second"))));
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
    assertTrue(waited >= 500, "timed out after " + waited + "ms, before its own 500ms were up");
  }

  @Test
  void aHostHeaderWeAddedFollowsTheRetryToAnotherServer() {
    io.tether.pool.Endpoint a = io.tether.pool.Endpoint.of("a", "10.0.0.1", 8080);
    io.tether.pool.Endpoint b = io.tether.pool.Endpoint.of("b", "10.0.0.2", 80);
    Exchange ex = new Exchange(get("/"), null, RequestOptions.DEFAULT, 0);
    FullHttpRequest first = ex.requestFor(a, Exchange.hostHeader(a, false));
    assertEquals("10.0.0.1:8080", first.headers().get("host"));
    first.release();
    FullHttpRequest retry = ex.requestFor(b, Exchange.hostHeader(b, false));
    assertEquals("10.0.0.2", retry.headers().get("host"));
    retry.release();

    FullHttpRequest own = get("/");
    own.headers().set("host", "api.example.com");
    Exchange mine = new Exchange(own, null, RequestOptions.DEFAULT, 0);
    assertEquals("api.example.com", mine.requestFor(a, Exchange.hostHeader(a, false)).headers().get("host"));
    assertEquals("api.example.com", mine.requestFor(b, Exchange.hostHeader(b, false)).headers().get("host"), "the caller's Host is kept");
  }

  @Test
  void theHostHeaderBracketsIpv6LiteralsAndLeavesOutTheSchemesDefaultPort() {
    assertEquals("[::1]:8080", Exchange.hostHeader(io.tether.pool.Endpoint.of("v6", "::1", 8080), false).toString());
    assertEquals("[::1]", Exchange.hostHeader(io.tether.pool.Endpoint.of("v6", "::1", 80), false).toString());
    assertEquals("api.example.com", Exchange.hostHeader(io.tether.pool.Endpoint.of("s", "api.example.com", 443), true).toString());
    assertEquals("api.example.com:80", Exchange.hostHeader(io.tether.pool.Endpoint.of("s", "api.example.com", 80), true).toString());
    assertEquals("api.example.com:443", Exchange.hostHeader(io.tether.pool.Endpoint.of("p", "api.example.com", 443), false).toString());
  }

  @Test
  void keepAliveIsAskedForByHttp10AndEndsWithConnectionClose() {
    FullHttpRequest http10 = new io.netty.handler.codec.http.DefaultFullHttpRequest(
        io.netty.handler.codec.http.HttpVersion.HTTP_1_0, io.netty.handler.codec.http.HttpMethod.GET, "/");
    Exchange old = new Exchange(http10, null, RequestOptions.DEFAULT, 0);
    assertTrue(old.keepAlive());
    assertEquals("keep-alive", http10.headers().get("connection"), "HTTP/1.0 must ask for keep-alive");

    FullHttpRequest plain = get("/");
    assertTrue(new Exchange(plain, null, RequestOptions.DEFAULT, 0).keepAlive());
    assertFalse(plain.headers().contains("connection"), "HTTP/1.1 is keep-alive without saying so");

    FullHttpRequest closing = get("/");
    closing.headers().set("connection", "close");
    assertFalse(new Exchange(closing, null, RequestOptions.DEFAULT, 0).keepAlive());
    http10.release();
    plain.release();
    closing.release();
  }

  @Test
  void anIdempotentRequestThatTimedOutIsRetriedOnceOnANewConnection() throws Exception {
    client(PoolConfig.builder(), true);
    server.ignoreNext.set(1);
    assertEquals("ok from app1", body(client.send(get("/"))));
    assertEquals(1, client.retries());
    assertEquals(1, registry.get("tether.pool.retries").tags("reason", "timeout").counter().count());
    assertEquals(2, server.requests.get());
    assertEquals(List.of("closed app1 broken"), events.matching("closed"));
  }

  @Test
  void oversizedBodyFailsTypedAndClosesTheConnection() throws Exception {
    client(PoolConfig.builder(), true);
    server.bodyBytes = 200 * 1024;
    InvalidResponseException e = assertInstanceOf(InvalidResponseException.class, failure(client.send(get("/"))));
    assertEquals(InvalidResponseException.Kind.BODY_TOO_LARGE, e.kind());
    Await.until(Duration.ofSeconds(5), () -> client.stats().total() == 0, () -> client.stats().toString());
    server.bodyBytes = -1;
    assertEquals("ok from app1", body(client.send(get("/"))));
  }

  @Test
  void keepAliveHeaderParsing() {
    assertEquals(Duration.ofSeconds(5), KeepAlive.timeout("timeout=5, max=1000"));
    assertEquals(Duration.ofSeconds(5), KeepAlive.timeout("max=1000, Timeout=5"));
    assertEquals(null, KeepAlive.timeout("max=1000"));
    assertEquals(null, KeepAlive.timeout("timeout=soon"));
    assertFalse(KeepAlive.timeout("timeout=0") != null);
  }
}
