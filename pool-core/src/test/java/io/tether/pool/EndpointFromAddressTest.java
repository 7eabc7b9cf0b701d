package io.tether.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.junit.jupiter.api.Test;

/** {@link Endpoint#of(SocketAddress)}: how every adapter names a server it was given only an address for. */
class EndpointFromAddressTest {
  /** A transport's own address type, with whatever text its toString gives. */
  private static final class Odd extends SocketAddress {
    private static final long serialVersionUID = 1L;
    private final String text;

    Odd(String text) {
      this.text = text;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  @Test
  void anIpAddressIsNamedByItsHostNeverItsPort() {
    Endpoint e = Endpoint.of(new InetSocketAddress("127.0.0.29", 8080));
    assertEquals("127.0.0.29", e.name());
    assertEquals("127.0.0.29", e.host());
    assertEquals(8080, e.port());
    Endpoint unresolved = Endpoint.of(InetSocketAddress.createUnresolved("api.internal", 443));
    assertEquals("api.internal", unresolved.name());
    assertEquals("api.internal:443", unresolved.address());
  }

  @Test
  void anyOtherAddressIsKeptAndNamedByItsTextMadeValid() {
    Odd odd = new Odd("local:my pool\u00e9");
    Endpoint e = Endpoint.of(odd);
    assertSame(odd, e.socketAddress());
    assertEquals("local:my_pool_", e.name());
    assertEquals("default", Endpoint.of(new Odd("")).name());
    assertEquals(128, Endpoint.of(new Odd("x".repeat(300))).name().length());
  }
}
