package io.tether.netty3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tether.netty.testing.Await;
import io.tether.netty.testing.Loopback;
import io.tether.netty3.testing.FakeTimer;
import io.tether.netty3.testing.Netty3HttpServer;
import io.tether.pool.testing.FakeTicker;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Netty 3 server handlers on real sockets; the idle closer on a fake Netty 3 timer. */
@Tag("netty3")
@Timeout(30)
class Netty3ServerHandlersTest {

  /** Sends one request, reads the response, then resets the connection as a health checker does. */
  private static void requestThenReset(Netty3HttpServer server) throws Exception {
    try (Socket s = new Socket(server.host(), server.port())) {
      s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] buf = new byte[256];
      s.getInputStream().read(buf);
      s.setSoLinger(true, 0);
    }
  }

  @Test
  void resetsReachAPlainAppButNotOneWithQuietResetHandler() throws Exception {
    try (Netty3HttpServer plain = new Netty3HttpServer("plain", Loopback.APP1, false, null);
        Netty3HttpServer quiet = new Netty3HttpServer("quiet", Loopback.APP2, true, null)) {
      for (int i = 0; i < 3; i++) {
        requestThenReset(plain);
        requestThenReset(quiet);
      }
      Await.until(Duration.ofSeconds(5), () -> plain.appExceptions.size() == 3 && quiet.quiet.resets() == 3,
          () -> "plain " + plain.appExceptions + ", quiet counted " + quiet.quiet.resets());
      assertEquals(List.of(), quiet.appExceptions);
      assertEquals(3, quiet.requests.get());
    }
  }

  @Test
  void idleCloserClosesBeforeTheBalancerTimeoutOnNettysTimer() throws Exception {
    FakeTicker ticker = new FakeTicker();
    FakeTimer timer = new FakeTimer(ticker);
    IdleCloser.Factory idle = IdleCloser.beforeBalancerTimeout(Duration.ofSeconds(10), 0.9, timer).withTicker(ticker);
    try (Netty3HttpServer server = new Netty3HttpServer("app1", Loopback.APP1, true, idle);
        Socket s = new Socket(server.host(), server.port())) {
      s.setSoTimeout(100);
      InputStream in = s.getInputStream();
      Await.until("the server scheduled its check", Duration.ofSeconds(5), () -> timer.pending() == 1);
      timer.advance(Duration.ofMillis(8999));
      assertThrows(SocketTimeoutException.class, in::read, "still open at 8.999s");
      timer.advance(Duration.ofMillis(1));
      s.setSoTimeout(5000);
      assertEquals(-1, in.read(), "closed with a FIN at 9s");
      assertEquals(1, idle.closed());
    }
  }
}
