package io.tether.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.channel.local.LocalAddress;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.tether.pool.Endpoint;
import io.tether.pool.HealthCheck;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The request an HTTP health check sends (HAProxy's {@code option httpchk} and {@code http-check send}):
 * method, path and version as configured, the configured headers, a {@code Host} of the address the
 * check goes to (RFC 9110 7.2: an IPv6 literal in brackets, the port always, since a check port may be
 * any) unless one is configured or the version is 1.0, a body with its length, and {@code Connection:
 * close}, since a check connection is never reused.
 */
class HealthCheckRequestTest {
  private static HealthCheck.Builder http() {
    return HealthCheck.builder().enabled(true).http("GET", "/health");
  }

  @Test
  void anHttp11CheckCarriesTheHostOfTheCheckedAddressAndClosesItsConnection() {
    FullHttpRequest req = ChannelProbes.request(http().httpHeader("X-Probe", "tether").build(),
        Endpoint.of("app1", "127.0.0.29", 8080));
    try {
      assertEquals("GET", req.method().name());
      assertEquals("/health", req.uri());
      assertEquals("HTTP/1.1", req.protocolVersion().text());
      assertEquals("127.0.0.29:8080", req.headers().get(HttpHeaderNames.HOST));
      assertEquals("tether", req.headers().get("X-Probe"));
      assertEquals("close", req.headers().get(HttpHeaderNames.CONNECTION));
      assertFalse(req.headers().contains(HttpHeaderNames.CONTENT_LENGTH), "no body, no length");
    } finally {
      req.release();
    }
  }

  @Test
  void aConfiguredHostIsKeptAndABodyGetsItsLength() {
    FullHttpRequest req = ChannelProbes.request(http().httpHeader("Host", "api.example").httpBody("ping").build(),
        Endpoint.of("app1", "127.0.0.29", 8080));
    try {
      assertEquals("api.example", req.headers().get(HttpHeaderNames.HOST));
      assertEquals(1, req.headers().getAll(HttpHeaderNames.HOST).size());
      assertEquals("4", req.headers().get(HttpHeaderNames.CONTENT_LENGTH));
      assertEquals("ping", req.content().toString(StandardCharsets.US_ASCII));
    } finally {
      req.release();
    }
  }

  @Test
  void anHttp10CheckSendsNoHost() {
    FullHttpRequest req = ChannelProbes.request(http().httpVersion("HTTP/1.0").build(),
        Endpoint.of("app1", "127.0.0.29", 8080));
    try {
      assertNull(req.headers().get(HttpHeaderNames.HOST));
    } finally {
      req.release();
    }
  }

  @Test
  void theHostIsTheCheckAddressesWithAnIpv6LiteralInBrackets() {
    assertEquals("[::1]:9000", ChannelProbes.hostHeader(Endpoint.of("v6", "::1", 8080)
        .withCheckAddress(InetSocketAddress.createUnresolved("::1", 9000))));
    assertEquals("127.0.0.38:9001", ChannelProbes.hostHeader(Endpoint.of("app2", "127.0.0.29", 8080)
        .withCheckAddress(new InetSocketAddress("127.0.0.38", 9001))));
    assertEquals("app3.test:80", ChannelProbes.hostHeader(Endpoint.of("app3", "app3.test", 80)));
    // An address that is not host:port (an in-VM channel): the endpoint's own host text.
    Endpoint local = Endpoint.of("local", new LocalAddress("checked"));
    assertEquals(local.host(), ChannelProbes.hostHeader(local));
  }
}
