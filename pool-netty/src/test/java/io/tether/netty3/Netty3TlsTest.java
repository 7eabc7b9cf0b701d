package io.tether.netty3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.netty.TlsException;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestCerts;
import io.tether.netty.testing.TlsFrontends;
import io.tether.netty3.testing.Netty3HttpCaller;
import io.tether.pool.ConnectFailedException;
import io.tether.pool.HealthCheck;
import io.tether.pool.PoolConfig;
import io.tether.pool.ServerState;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jboss.netty.bootstrap.ClientBootstrap;
import org.jboss.netty.channel.socket.nio.NioClientSocketChannelFactory;
import org.jboss.netty.util.HashedWheelTimer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Netty 3 pool's TLS through a real HAProxy TLS frontend, with the same certificates and the same
 * outcomes as the Netty 4 pool's {@code TlsTest}: a trusted certificate for the right name works and its
 * connection is reused; an untrusted one, another name or a silent server fail the acquire with the
 * matching {@link TlsException} and pool nothing; TLS health checks pass through the same settings.
 */
@Tag("haproxy")
@Tag("netty3")
@Timeout(60)
class Netty3TlsTest {
  private static TlsFrontends frontends;

  private NioClientSocketChannelFactory factory;
  private HashedWheelTimer timer;
  private Netty3ChannelPool pool;

  @BeforeAll
  static void start() throws Exception {
    frontends = TlsFrontends.start();
  }

  @AfterAll
  static void stop() {
    frontends.close();
  }

  @AfterEach
  void closePool() {
    if (pool != null) {
      pool.close();
    }
    if (timer != null) {
      timer.stop();
      factory.releaseExternalResources();
    }
  }

  /** A client context trusting {@code ca}'s certificate only, as an application builds one. */
  private static SSLContext trusting(TestCerts ca) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(ca.caCert())) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  private Netty3ChannelPool pool(int port, Tls tls, PoolConfig.Builder config) {
    factory = new NioClientSocketChannelFactory(Executors.newCachedThreadPool(), Executors.newCachedThreadPool(), 1, 1);
    timer = new HashedWheelTimer(10, TimeUnit.MILLISECONDS);
    ClientBootstrap b = new ClientBootstrap(factory);
    b.setPipelineFactory(Netty3HttpCaller.pipeline());
    pool = Netty3ChannelPool.builder(b, timer).tls(tls)
        .config(config.server("lb", Loopback.LB, port).retries(0).build()).build();
    return pool;
  }

  private static String get(Netty3ChannelPool p) throws Exception {
    return Netty3HttpCaller.get(p, Loopback.LB, "/").get(10, TimeUnit.SECONDS);
  }

  private static TlsException tlsFailure(Netty3ChannelPool p) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(p));
    ConnectFailedException cf = assertInstanceOf(ConnectFailedException.class, e.getCause());
    return assertInstanceOf(TlsException.class, cf.getCause());
  }

  @Test
  void aTrustedCertificateForTheRightNameWorksAndTheConnectionIsReused() throws Exception {
    pool(frontends.goodPort, Tls.of(trusting(frontends.ca)), PoolConfig.builder());
    assertEquals("ok from app1", get(pool));
    assertEquals("ok from app1", get(pool));
    assertEquals(1, pool.stats().total(), "one TLS connection, reused");
  }

  @Test
  void anUntrustedCertificateIsRefusedAndNeverPooled() throws Exception {
    pool(frontends.goodPort, Tls.of(trusting(frontends.otherCa)), PoolConfig.builder());
    TlsException e = tlsFailure(pool);
    assertEquals(TlsException.Kind.CERTIFICATE, e.kind(), e.getMessage());
    assertEquals(0, pool.stats().total());
  }

  @Test
  void aCertificateForAnotherNameIsRefusedUnlessVerificationIsTurnedOff() throws Exception {
    pool(frontends.wrongNamePort, Tls.of(trusting(frontends.ca)), PoolConfig.builder());
    TlsException e = tlsFailure(pool);
    assertEquals(TlsException.Kind.HOSTNAME, e.kind(), e.getMessage());
    assertEquals(0, pool.stats().total());
    closePool();
    pool(frontends.wrongNamePort, Tls.of(trusting(frontends.ca)).withoutHostnameVerification(), PoolConfig.builder());
    assertEquals("ok from app1", get(pool));
  }

  @Test
  void aServerThatNeverAnswersTheHandshakeTimesOut() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getByName(Loopback.LB))) {
      pool(silent.getLocalPort(), Tls.of(trusting(frontends.ca)).withHandshakeTimeout(Duration.ofMillis(300)), PoolConfig.builder());
      long t0 = System.nanoTime();
      TlsException e = tlsFailure(pool);
      assertEquals(TlsException.Kind.HANDSHAKE, e.kind(), e.getMessage());
      assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 5000);
      assertEquals(0, pool.stats().total());
    }
  }

  @Test
  void tlsHealthChecksUseThePoolsSettings() throws Exception {
    HealthCheck.Builder checks = HealthCheck.builder().enabled(true).inter(Duration.ofMillis(100)).fall(1).rise(1).ssl(true);
    pool(frontends.goodPort, Tls.of(trusting(frontends.ca)), PoolConfig.builder().healthCheck(checks.build()));
    Await.until(Duration.ofSeconds(5), () -> pool.stats().server("lb").state() == ServerState.UP,
        () -> String.valueOf(pool.stats()));
    assertEquals("ok from app1", get(pool));
    closePool();
    // The same checks against a certificate the pool does not trust: the server is marked down.
    pool(frontends.goodPort, Tls.of(trusting(frontends.otherCa)), PoolConfig.builder().healthCheck(checks.build()));
    Await.until(Duration.ofSeconds(5), () -> pool.stats().server("lb").state() == ServerState.DOWN,
        () -> "an untrusted TLS check passed: " + pool.stats());
  }
}
