package io.tether.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContextBuilder;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TlsFrontends;
import io.tether.pool.ConnectFailedException;
import io.tether.pool.PoolConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Pooled TLS through a real HAProxy TLS frontend with certificates made for the test. */
@Tag("haproxy")
@Timeout(60)
class TlsTest {
  private static EventLoopGroup group;
  private static TlsFrontends frontends;

  @BeforeAll
  static void start() throws Exception {
    group = new NioEventLoopGroup(1);
    frontends = TlsFrontends.start();
  }

  @AfterAll
  static void stop() {
    frontends.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static TetherHttpClient client(int port, Tls tls) {
    return TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
        .config(PoolConfig.builder().server("lb", Loopback.LB, port).retries(0).build())
        .tls(tls)
        .build();
  }

  private static String get(TetherHttpClient c) throws Exception {
    FullHttpResponse r = c.send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/")).get(10, TimeUnit.SECONDS);
    try {
      return r.content().toString(StandardCharsets.UTF_8);
    } finally {
      r.release();
    }
  }

  private static TlsException tlsFailure(TetherHttpClient c) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(c));
    ConnectFailedException cf = assertInstanceOf(ConnectFailedException.class, e.getCause());
    return assertInstanceOf(TlsException.class, cf.getCause());
  }

  @Test
  void aTrustedCertificateForTheRightNameWorksAndConnectionsArePooled() throws Exception {
    try (TetherHttpClient c = client(frontends.goodPort, Tls.of(SslContextBuilder.forClient().trustManager(frontends.ca.caCert().toFile()).build()))) {
      assertEquals("ok from app1", get(c));
      assertEquals("ok from app1", get(c));
      assertEquals(1, c.stats().total(), "one TLS connection, reused");
    }
  }

  @Test
  void anUntrustedCertificateIsRefusedAndNeverPooled() throws Exception {
    try (TetherHttpClient c = client(frontends.goodPort, Tls.of(SslContextBuilder.forClient().trustManager(frontends.otherCa.caCert().toFile()).build()))) {
      TlsException e = tlsFailure(c);
      assertEquals(TlsException.Kind.CERTIFICATE, e.kind(), e.getMessage());
      assertEquals(0, c.stats().total());
    }
  }

  @Test
  void aCertificateForAnotherNameIsRefused() throws Exception {
    try (TetherHttpClient c = client(frontends.wrongNamePort, Tls.of(SslContextBuilder.forClient().trustManager(frontends.ca.caCert().toFile()).build()))) {
      TlsException e = tlsFailure(c);
      assertEquals(TlsException.Kind.HOSTNAME, e.kind(), e.getMessage());
      assertEquals(0, c.stats().total());
    }
  }

  @Test
  void hostnameVerificationOnlyGoesWhenTurnedOffExplicitly() throws Exception {
    Tls lax = Tls.of(SslContextBuilder.forClient().trustManager(frontends.ca.caCert().toFile()).build()).withoutHostnameVerification();
    try (TetherHttpClient c = client(frontends.wrongNamePort, lax)) {
      assertEquals("ok from app1", get(c));
    }
  }

  @Test
  void aServerThatNeverAnswersTheHandshakeTimesOut() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getByName(Loopback.LB))) {
      Tls tls = Tls.of(SslContextBuilder.forClient().trustManager(frontends.ca.caCert().toFile()).build())
          .withHandshakeTimeout(Duration.ofMillis(300));
      try (TetherHttpClient c = client(silent.getLocalPort(), tls)) {
        long t0 = System.nanoTime();
        TlsException e = tlsFailure(c);
        assertEquals(TlsException.Kind.HANDSHAKE, e.kind(), e.getMessage());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 5000);
        assertEquals(0, c.stats().total());
      }
    }
  }
}
