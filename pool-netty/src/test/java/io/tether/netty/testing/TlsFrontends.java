package io.tether.netty.testing;

/**
 * A real HAProxy with two TLS frontends in front of one plain backend, for the TLS tests of both
 * adapters: {@link #goodPort} presents a certificate from {@link #ca} for 127.0.0.1 and localhost,
 * {@link #wrongNamePort} one from the same CA for {@code wrong.example}; {@link #otherCa} signed neither.
 */
public final class TlsFrontends implements AutoCloseable {
  public final TestHttpServer app;
  public final TestCerts ca;
  public final TestCerts otherCa;
  public final int goodPort;
  public final int wrongNamePort;
  private final Haproxy haproxy;

  private TlsFrontends() throws Exception {
    app = TestHttpServer.plain("app1", Loopback.APP1);
    ca = TestCerts.newCa("tether-test-ca");
    otherCa = TestCerts.newCa("someone-elses-ca");
    var good = ca.server("lb", "IP:127.0.0.1", "DNS:localhost");
    var wrongName = ca.server("elsewhere", "DNS:wrong.example");
    goodPort = Loopback.freePort(Loopback.LB);
    wrongNamePort = Loopback.freePort(Loopback.LB);
    haproxy = Haproxy.start("defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n\n"
        + "frontend tls\n  bind " + Loopback.LB + ":" + goodPort + " ssl crt " + good + "\n  default_backend app\n"
        + "frontend tls_wrong_name\n  bind " + Loopback.LB + ":" + wrongNamePort + " ssl crt " + wrongName
        + "\n  default_backend app\n"
        + "backend app\n  server app1 " + app.address() + "\n");
  }

  /** Makes the certificates and starts HAProxy and the backend. */
  public static TlsFrontends start() throws Exception {
    return new TlsFrontends();
  }

  @Override
  public void close() {
    haproxy.close();
    app.close();
  }
}
