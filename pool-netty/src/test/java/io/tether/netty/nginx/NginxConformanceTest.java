package io.tether.netty.nginx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.netty.http.RetryPolicy;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.Nginx;
import io.tether.pool.CloseCause;
import io.tether.pool.Endpoint;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolListener;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The client against a server nobody on the team wrote: nginx, keep-alive on, for the framing cases a
 * conforming server produces (HEAD, 204, 304, chunked, {@code Connection: close}, {@code
 * keepalive_requests}, {@code keepalive_timeout} announced in {@code Keep-Alive}). Each asserts the
 * response and whether the connection was rightly kept or rightly closed, with retries off, so that a
 * mishandled case shows as a failure rather than a silent retry.
 */
@Tag("nginx")
class NginxConformanceTest {
  private static final String BIG = "tether ".repeat(4096);

  private EventLoopGroup group;
  private Nginx nginx;
  private TetherHttpClient client;
  private final AtomicInteger opened = new AtomicInteger();
  private final List<CloseCause> closes = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    // scripts/test.sh installs nginx-light where it can (root, apt-get) and says so where it cannot.
    org.junit.jupiter.api.Assumptions.assumeTrue(Nginx.available(), "nginx is not installed (apt-get install nginx-light)");
    group = new NioEventLoopGroup(1);
    nginx = Nginx.start(Loopback.APP1, """
          keepalive_timeout 2s 2s;
          keepalive_requests 5;
          gzip on;
          gzip_types text/plain;
          gzip_min_length 1;
          server {
            listen @ADDR@;
            root @DIR@/www;
            location = /204 { return 204; }
            location = /text { default_type text/plain; return 200 "hello from nginx"; }
            location = /close { keepalive_timeout 0; default_type text/plain; return 200 "bye"; }
          }
        """, www -> {
          try {
            Files.writeString(www.resolve("file.txt"), "static file\n");
            Files.writeString(www.resolve("big.txt"), BIG);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    client = TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
        .config(PoolConfig.builder().name("nginx").server("nginx", nginx.host, nginx.port).maxConnections(1)
            .lbIdleTimeout(Duration.ofSeconds(60)).build())
        .listener(new PoolListener() {
          @Override
          public void connected(Endpoint endpoint, long connectNanos) {
            opened.incrementAndGet();
          }

          @Override
          public void closed(Endpoint endpoint, CloseCause cause, Throwable detail) {
            closes.add(cause);
          }
        })
        .retryPolicy(RetryPolicy.NONE)
        .requestTimeout(Duration.ofSeconds(5))
        .build();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (client != null) {
      client.close();
    }
    if (nginx != null) {
      nginx.close();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private FullHttpResponse send(HttpMethod method, String uri, String... headers) throws Exception {
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    for (int i = 0; i < headers.length; i += 2) {
      req.headers().set(headers[i], headers[i + 1]);
    }
    return client.send(req).get(10, TimeUnit.SECONDS);
  }

  private String get(String uri) throws Exception {
    FullHttpResponse r = send(HttpMethod.GET, uri);
    try {
      return r.status().code() + " " + r.content().toString(java.nio.charset.StandardCharsets.UTF_8);
    } finally {
      r.release();
    }
  }

  @Test
  void headTwoHundredFourAndNotModifiedKeepTheConnectionInStep() throws Exception {
    FullHttpResponse head = send(HttpMethod.HEAD, "/file.txt");
    assertEquals(200, head.status().code());
    assertEquals("12", head.headers().get("content-length"), "HEAD says the length of the body it leaves out");
    assertEquals(0, head.content().readableBytes());
    String etag = head.headers().get("etag");
    head.release();
    assertEquals("204 ", get("/204"));
    FullHttpResponse notModified = send(HttpMethod.GET, "/file.txt", "If-None-Match", etag);
    assertEquals(304, notModified.status().code());
    notModified.release();
    assertEquals("200 static file\n", get("/file.txt"));
    assertEquals(1, opened.get(), "every response was framed right, so one connection carried them all");
  }

  @Test
  void aChunkedGzippedBodyIsReadWhole() throws Exception {
    // What nginx sends for it, read off a plain socket: chunked (the aggregated response the client
    // hands back has a Content-Length instead).
    try (java.net.Socket raw = new java.net.Socket(nginx.host, nginx.port)) {
      raw.getOutputStream().write(("GET /big.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n"
          + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String head = new String(raw.getInputStream().readNBytes(512), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertTrue(head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked"), head);
    }
    FullHttpResponse r = send(HttpMethod.GET, "/big.txt", "Accept-Encoding", "gzip");
    try {
      assertEquals(200, r.status().code());
      assertEquals("gzip", r.headers().get("content-encoding"));
      byte[] gz = new byte[r.content().readableBytes()];
      r.content().getBytes(r.content().readerIndex(), gz);
      String body = new String(new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz)).readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(BIG, body);
    } finally {
      r.release();
    }
    assertEquals("200 hello from nginx", get("/text"));
    assertEquals(1, opened.get());
  }

  @Test
  void connectionCloseAndKeepaliveRequestsEndTheConnectionAndNothingFails() throws Exception {
    assertEquals("200 bye", get("/close"));
    assertEquals("200 hello from nginx", get("/text"));
    assertEquals(2, opened.get(), "nginx said Connection: close; the next request went on a new connection");
    // keepalive_requests 5: nginx answers every fifth request on a connection with Connection: close.
    for (int i = 0; i < 14; i++) {
      assertEquals("200 hello from nginx", get("/text"));
    }
    // 15 requests on the second connection and after: 5 per connection.
    assertEquals(4, opened.get());
    assertTrue(closes.stream().allMatch(c -> c == CloseCause.PEER_CLOSED), closes.toString());
  }

  @Test
  void theKeepAliveTimeoutNginxAnnouncesEvictsTheConnectionBeforeNginxClosesIt() throws Exception {
    assertEquals("200 hello from nginx", get("/text"));
    // keepalive_timeout 2s, announced as "Keep-Alive: timeout=2": Tether evicts before 2 s, although
    // the pool's own idle timeout is a minute.
    Await.until(Duration.ofSeconds(3), () -> closes.contains(CloseCause.IDLE_EVICTED), closes::toString);
    Thread.sleep(500);
    assertEquals("200 hello from nginx", get("/text"));
    assertEquals(List.of(CloseCause.IDLE_EVICTED), closes, "evicted by Tether, not closed under it by nginx");
  }
}
