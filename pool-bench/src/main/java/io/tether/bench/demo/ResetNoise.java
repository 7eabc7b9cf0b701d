package io.tether.bench.demo;

import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.netty3.testing.Netty3HttpServer;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 2: HAProxy health-checks a Netty 4 and a Netty 3 server ({@code option httpchk}, {@code
 * inter 200}) and ends every check with an RST. Plain servers see each one as "Connection reset by
 * peer" in their handlers; with Tether's QuietResetHandler the resets are counted and kept out.
 */
final class ResetNoise {
  static final int SECONDS = 5;

  record Outcome(int reachedHandlers, long counted, String example) {}

  private ResetNoise() {}

  static Outcome run(boolean tether, Progress progress) throws Exception {
    String label = "[2/4] health-check resets, " + (tether ? "servers with QuietResetHandler" : "plain Netty 4 + Netty 3 servers");
    try (TestHttpServer netty4 = tether ? TestHttpServer.withTether("app1", Loopback.APP1)
            : TestHttpServer.plain("app1", Loopback.APP1);
        Netty3HttpServer netty3 = new Netty3HttpServer("app2", Loopback.APP2, tether, null)) {
      netty4.alwaysKeepAlive = true; // as the field report's servers: HAProxy then ends each check with RST
      int port = Loopback.freePort(Loopback.LB);
      String check = " check inter 200 fall 1 rise 1\n";
      String cfg = "defaults\n  mode http\n  timeout connect 1s\n  timeout client 10s\n  timeout server 10s\n\n"
          + "listen web\n  bind " + Loopback.LB + ":" + port + "\n  option httpchk GET /health\n"
          + "  server app1 " + netty4.address() + check + "  server app2 " + netty3.address() + check;
      try (Haproxy lb = Haproxy.start(cfg)) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        while (System.nanoTime() < end) {
          int reached = netty4.appExceptions.size() + netty3.appExceptions.size();
          progress.update(String.format("%s: %d s, %d resets reached the handlers", label,
              SECONDS - TimeUnit.NANOSECONDS.toSeconds(end - System.nanoTime()), reached));
          TimeUnit.MILLISECONDS.sleep(250);
        }
      }
      int reached = netty4.appExceptions.size() + netty3.appExceptions.size();
      long counted = tether ? netty4.quiet.resets() + netty3.quiet.resets() : 0;
      String example = !netty4.appExceptions.isEmpty() ? netty4.appExceptions.get(0)
          : !netty3.appExceptions.isEmpty() ? netty3.appExceptions.get(0) : "";
      progress.done(String.format("%s: %d resets reached the handlers%s", label, reached,
          tether ? ", " + counted + " counted quietly" : example.isEmpty() ? "" : " (" + example + ")"));
      return new Outcome(reached, counted, example);
    }
  }
}
