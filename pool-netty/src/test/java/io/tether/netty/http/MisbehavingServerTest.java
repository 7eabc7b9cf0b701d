package io.tether.netty.http;

import static io.tether.netty.testing.RogueServer.ascii;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.RogueServer;
import io.tether.pool.CloseCause;
import io.tether.pool.Endpoint;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolListener;
import io.tether.pool.PoolStats;
import io.tether.pool.ResponseTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Servers that break HTTP/1.1's one-response-per-request framing, on real sockets: each case asserts
 * what the affected request gets, that the next request gets its own response, and that the pool's
 * counts end consistent (nothing leased, nothing waiting).
 */
class MisbehavingServerTest {
  private static final String OK2 = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  private EventLoopGroup group;
  private RogueServer server;
  private TetherHttpClient client;
  private final List<CloseCause> closes = new CopyOnWriteArrayList<>();
  private final List<HttpResponse> interims = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    group = new NioEventLoopGroup(1);
    server = new RogueServer(Loopback.APP1);
    server.mode = RogueServer.Mode.SCRIPTED;
  }

  @AfterEach
  void tearDown() throws Exception {
    if (client != null) {
      client.close();
    }
    server.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private TetherHttpClient client(RetryPolicy retries) {
    client = TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
        .config(PoolConfig.builder().name("rogue").server("rogue", Loopback.APP1, server.port()).maxConnections(1).build())
        .listener(new PoolListener() {
          @Override
          public void closed(Endpoint endpoint, CloseCause cause, Throwable detail) {
            closes.add(cause);
          }
        })
        .onInterimResponse(interims::add)
        .retryPolicy(retries)
        .requestTimeout(Duration.ofSeconds(5))
        .build();
    return client;
  }

  private static FullHttpRequest request(HttpMethod method, String uri) {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
  }

  /** The body of a response to {@code uri}, released. */
  private static String body(CompletableFuture<FullHttpResponse> f) throws Exception {
    FullHttpResponse r = f.get(10, TimeUnit.SECONDS);
    try {
      return r.status().code() + " " + r.content().toString(StandardCharsets.UTF_8)
          + (r.headers().contains("X-Smuggled") ? " smuggled" : "");
    } finally {
      r.release();
    }
  }

  private String get(String uri) throws Exception {
    return body(client.send(request(HttpMethod.GET, uri)));
  }

  /** Nothing leased, waiting or connecting once the exchanges are over. */
  private void countsSettle() {
    Await.until(Duration.ofSeconds(5), () -> {
      PoolStats s = client.stats();
      return s.leased() == 0 && s.pending() == 0 && s.connecting() == 0;
    }, () -> client.stats().toString());
  }

  /** Answers {@code /second} (or any request after the first on a connection) with its own body. */
  private static byte[] own(String head) {
    String uri = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
    String body = "own " + uri;
    return ascii("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
  }

  @Test
  void aSecondResponseInTheSameSegmentIsNeverTheNextRequestsResponse() throws Exception {
    server.script = (conn, n, head) -> n == 0 && conn == 0
        ? ascii(OK2 + "HTTP/1.1 200 OK\r\nContent-Length: 30\r\nX-Smuggled: yes\r\n\r\n")
        : own(head);
    client(RetryPolicy.NONE);
    assertEquals("200 ok", get("/first"));
    assertEquals("200 own /second", get("/second"));
    assertEquals(2, server.accepted.get(), "the out-of-step connection was closed, not reused");
    assertTrue(closes.contains(CloseCause.BROKEN), closes.toString());
    countsSettle();
  }

  @Test
  void trailingGarbageClosesTheConnection() throws Exception {
    server.script = (conn, n, head) -> n == 0 && conn == 0 ? ascii(OK2 + "garbage") : own(head);
    client(RetryPolicy.NONE);
    assertEquals("200 ok", get("/first"));
    assertEquals("200 own /second", get("/second"));
    assertEquals(2, server.accepted.get());
    countsSettle();
  }

  @Test
  void aBodyOnA204IsNotReadAsTheNextResponse() throws Exception {
    server.script = (conn, n, head) -> n == 0 && conn == 0
        ? ascii("HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled") : own(head);
    client(RetryPolicy.NONE);
    assertEquals("204 ", get("/first"));
    assertEquals("200 own /second", get("/second"));
    assertEquals(2, server.accepted.get());
    countsSettle();
  }

  @Test
  void aHeadResponseHasNoBodyWhateverItsContentLengthSays() throws Exception {
    server.script = (conn, n, head) -> head.startsWith("HEAD")
        ? ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n") : own(head);
    client(RetryPolicy.NONE);
    assertEquals("200 ", body(client.send(request(HttpMethod.HEAD, "/h"))));
    assertEquals("200 own /second", get("/second"));
    assertEquals(1, server.accepted.get(), "a well-framed HEAD keeps its connection");

    // The same server, now sending the five bytes its Content-Length announced: they are not the next
    // response's.
    server.script = (conn, n, head) -> head.startsWith("HEAD")
        ? ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello") : own(head);
    assertEquals("200 ", body(client.send(request(HttpMethod.HEAD, "/h"))));
    assertEquals("200 own /third", get("/third"));
    assertEquals(2, server.accepted.get());
    countsSettle();
  }

  @Test
  void interimResponsesAreSkippedAndOffered() throws Exception {
    server.script = (conn, n, head) -> ascii("HTTP/1.1 100 Continue\r\n\r\n"
        + "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n" + new String(own(head), StandardCharsets.US_ASCII));
    client(RetryPolicy.NONE);
    assertEquals("200 own /a", get("/a"));
    assertEquals("200 own /b", get("/b"));
    assertEquals(1, server.accepted.get(), "interim responses leave the connection in step");
    assertEquals(4, interims.size());
    assertEquals(103, interims.get(1).status().code());
    countsSettle();
  }

  @Test
  void anUnrequestedSwitchingProtocolsFailsAtOnce() throws Exception {
    server.script = (conn, n, head) -> conn == 0
        ? ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u0081\u0005hello")
        : own(head);
    client(RetryPolicy.NONE);
    long t0 = System.nanoTime();
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> client.send(request(HttpMethod.GET, "/ws")).get(10, TimeUnit.SECONDS));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    InvalidResponseException ire = assertInstanceOf(InvalidResponseException.class, e.getCause());
    assertEquals(InvalidResponseException.Kind.UNEXPECTED_UPGRADE, ire.kind());
    assertTrue(ms < 2000, "failed after " + ms + " ms, not at the 5 s request timeout");
    assertEquals("200 own /next", get("/next"));
    countsSettle();
  }

  @Test
  void anUnsolicitedResponseOnAnIdleConnectionIsNeverTheNextRequestsResponse() throws Exception {
    // HAProxy's 408 on an idle connection, as it closes it: here the server keeps the connection open.
    server.script = (conn, n, head) -> own(head);
    server.unsolicited = ascii("HTTP/1.1 408 Request Time-out\r\nContent-Length: 0\r\n\r\n");
    server.unsolicitedDelayMillis = 200;
    client(RetryPolicy.NONE);
    assertEquals("200 own /first", get("/first"));
    Await.until(Duration.ofSeconds(2), () -> closes.contains(CloseCause.BROKEN) || closes.contains(CloseCause.PEER_CLOSED),
        () -> "the idle connection that received a response nobody asked for is still pooled: " + client.stats());
    assertEquals("200 own /second", get("/second"));
    assertEquals(2, server.accepted.get());
    countsSettle();
  }

  @Test
  void givingUpOnARequestClosesItsConnectionAndReleasesTheLeaseAtOnce() throws Exception {
    server.script = (conn, n, head) -> {
      if (conn == 0) {
        Thread.sleep(2000);
        return ascii(OK2);
      }
      return own(head);
    };
    client(RetryPolicy.NONE);
    CompletableFuture<FullHttpResponse> slow = client.send(request(HttpMethod.GET, "/slow"))
        .orTimeout(300, TimeUnit.MILLISECONDS);
    long t0 = System.nanoTime();
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> slow.get(5, TimeUnit.SECONDS));
    assertInstanceOf(java.util.concurrent.TimeoutException.class, e.getCause());
    // The lease count drops before the close reaches the listener (same thread, a few calls later).
    Await.until(Duration.ofSeconds(1), () -> client.stats().leased() == 0 && closes.contains(CloseCause.ABANDONED),
        () -> client.stats() + " " + closes);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(ms < 1000, "lease released " + ms + " ms after the caller gave up, not when the response came");
    // maxConnections 1: the next request could not run if the abandoned one still held the connection.
    assertEquals("200 own /next", get("/next"));

    CompletableFuture<FullHttpResponse> cancelled = client.send(request(HttpMethod.GET, "/cancel"));
    server.script = (conn, n, head) -> {
      Thread.sleep(2000);
      return ascii(OK2);
    };
    cancelled.cancel(true);
    countsSettle();
  }

  @Test
  void aCancelledRequestStillWaitingForAConnectionIsWithdrawn() throws Exception {
    server.script = (conn, n, head) -> {
      Thread.sleep(1000);
      return own(head);
    };
    client(RetryPolicy.NONE);
    CompletableFuture<FullHttpResponse> holding = client.send(request(HttpMethod.GET, "/hold"));
    Await.until(Duration.ofSeconds(2), () -> client.stats().leased() == 1, () -> client.stats().toString());
    CompletableFuture<FullHttpResponse> queued = client.send(request(HttpMethod.GET, "/queued"));
    Await.until(Duration.ofSeconds(2), () -> client.stats().pending() == 1, () -> client.stats().toString());
    queued.cancel(true);
    Await.until(Duration.ofSeconds(1), () -> client.stats().pending() == 0, () -> client.stats().toString());
    assertEquals("200 own /hold", body(holding));
    assertEquals(1, server.requests.get(), "the withdrawn request was never sent");
    countsSettle();
  }

  @Test
  void aRequestsOwnDeadlineAndFirstByteDeadline() throws Exception {
    server.script = (conn, n, head) -> {
      Thread.sleep(head.contains("/slow") ? 1500 : 0);
      return own(head);
    };
    client(RetryPolicy.NONE);
    long t0 = System.nanoTime();
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> client.send(request(HttpMethod.GET, "/slow"), RequestOptions.DEFAULT.timeout(Duration.ofMillis(300)))
            .get(5, TimeUnit.SECONDS));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertInstanceOf(ResponseTimeoutException.class, e.getCause());
    assertTrue(ms >= 280 && ms < 1400, ms + " ms");
    t0 = System.nanoTime();
    e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> client.send(request(HttpMethod.GET, "/slow"), RequestOptions.DEFAULT.firstByteTimeout(Duration.ofMillis(200)))
            .get(5, TimeUnit.SECONDS));
    ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertInstanceOf(ResponseTimeoutException.class, e.getCause());
    assertTrue(ms >= 180 && ms < 1400, ms + " ms");
    assertEquals("200 own /fast", body(client.send(request(HttpMethod.GET, "/fast"),
        RequestOptions.DEFAULT.timeout(Duration.ofSeconds(2)).firstByteTimeout(Duration.ofMillis(500)))));
    countsSettle();
  }

  @Test
  void theRetryBudgetCapsRetriesAndCountsWhatItRefused() throws Exception {
    // Every first request on a connection is cut off before its response: a stale connection, which an
    // idempotent request may be retried after.
    server.script = (conn, n, head) -> null;
    client(RetryPolicy.of(1, 0.0, 0, Duration.ofSeconds(10)));
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> client.send(request(HttpMethod.GET, "/")).get(5, TimeUnit.SECONDS));
    assertEquals(0, client.retries());
    assertEquals(1, client.retriesRefused(), "no budget: the retry was refused and counted");
    client.close();
    client = null;

    client(RetryPolicy.of(1, 0.0, 1, Duration.ofSeconds(10))); // 10 retries in the window, whatever the traffic
    int before = server.accepted.get();
    for (int i = 0; i < 12; i++) {
      CompletableFuture<FullHttpResponse> f = client.send(request(HttpMethod.GET, "/"));
      org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
    }
    assertEquals(10, client.retries(), "the floor: 1 per second over 10 s");
    assertEquals(2, client.retriesRefused());
    assertEquals(before + 22, server.accepted.get(), "12 requests and 10 retries, each on a new connection");
    countsSettle();
  }

  @Test
  void aPostIsRetriedOnlyWhenTheRequestSaysItMayBe() throws Exception {
    server.script = (conn, n, head) -> conn == 0 || conn == 1 ? null : own(head);
    client(RetryPolicy.DEFAULT);
    org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> client.send(request(HttpMethod.POST, "/order")).get(5, TimeUnit.SECONDS));
    assertEquals(0, client.retries(), "a POST is not idempotent");
    assertEquals("200 own /order", body(client.send(request(HttpMethod.POST, "/order"),
        RequestOptions.DEFAULT.idempotent(true))));
    assertEquals(1, client.retries());
    countsSettle();
  }

  private static FullHttpRequest upload(String body) {
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/upload",
        io.netty.buffer.Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
    req.headers().set("Expect", "100-continue");
    req.headers().set("Content-Length", body.length());
    return req;
  }

  /** Echoes the body it read after the head. */
  private static byte[] echo(String head) {
    String body = "got " + head.substring(head.indexOf("\r\n\r\n") + 4);
    return ascii("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
  }

  @Test
  void anExpectContinueBodyGoesOnTheHundredOrAfterAShortWait() throws Exception {
    server.script = (conn, n, head) -> echo(head);
    client(RetryPolicy.NONE);
    long t0 = System.nanoTime();
    assertEquals("200 got payload", body(client.send(upload("payload"))));
    long onContinue = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(onContinue < HeldBody.CONTINUE_WAIT_MILLIS - 200, "sent on the 100, after " + onContinue + " ms");

    server.expect = RogueServer.Expect.WAIT; // a server that never says 100
    t0 = System.nanoTime();
    assertEquals("200 got payload", body(client.send(upload("payload"))));
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(waited >= HeldBody.CONTINUE_WAIT_MILLIS - 50, "sent after the wait, at " + waited + " ms");
    assertEquals(1, server.accepted.get(), "both exchanges completed their requests: the connection stayed");
    countsSettle();
  }

  @Test
  void aFinalAnswerBeforeTheBodyWasSentEndsTheConnection() throws Exception {
    server.expect = RogueServer.Expect.REFUSE;
    server.script = (conn, n, head) -> head.contains("/upload")
        ? ascii("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n") : own(head);
    client(RetryPolicy.NONE);
    assertEquals("417 ", body(client.send(upload("payload"))));
    assertEquals("200 own /next", get("/next"));
    assertEquals(2, server.accepted.get(), "the unsent body would have been read as the next request");
    countsSettle();
  }

  @Test
  void hostAndUserAgentAreSetWhenTheRequestHasNone() throws Exception {
    server.script = (conn, n, head) -> {
      String lower = head.toLowerCase(java.util.Locale.ROOT);
      String host = lower.substring(lower.indexOf("\r\nhost: ") + 8, lower.indexOf("\r\n", lower.indexOf("\r\nhost: ") + 2));
      String ua = lower.contains("\r\nuser-agent: ")
          ? lower.substring(lower.indexOf("\r\nuser-agent: ") + 14, lower.indexOf("\r\n", lower.indexOf("\r\nuser-agent: ") + 2))
          : "none";
      String body = host + " " + ua;
      return ascii("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
    };
    client = TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
        .config(PoolConfig.builder().server("rogue", Loopback.APP1, server.port()).build())
        .userAgent("tether-test/1").build();
    assertEquals("200 " + Loopback.APP1 + ":" + server.port() + " tether-test/1", get("/"));
    FullHttpRequest own = request(HttpMethod.GET, "/");
    own.headers().set("Host", "api.example.com").set("User-Agent", "mine");
    assertEquals("200 api.example.com mine", body(client.send(own)));
  }
}
