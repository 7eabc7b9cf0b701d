package io.tether.netty.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.BackendProcess;
import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.RawHttpConnection;
import io.tether.netty.testing.RawHttpConnection.Response;
import io.tether.netty.testing.TestHttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What docs/haproxy.md says each HAProxy option does, measured on the HAProxy binary with real backends
 * and a client that speaks HTTP/1.1 by hand (so the test alone decides which requests share a client
 * connection). Each test names the statement it pins and runs the option beside its control: the same
 * traffic without the option, which must behave otherwise, so neither half passes by accident.
 */
@Tag("haproxy")
@Timeout(60)
class HaproxyOptionsClaimsTest {
  private static final String HOST = Loopback.LB;

  private static String config(int port, String mode, String frontendLines, String backendLines,
      TestHttpServer... servers) {
    StringBuilder b = new StringBuilder()
        .append("defaults\n  mode ").append(mode).append("\n  timeout connect 1s\n  timeout client 10s\n")
        .append("  timeout server 10s\n")
        .append("frontend fe\n  bind ").append(HOST).append(':').append(port).append('\n').append(frontendLines)
        .append("  default_backend be\n")
        .append("backend be\n").append(backendLines);
    for (TestHttpServer s : servers) {
      b.append("  server ").append(s.name).append(' ').append(s.address())
          .append(backendLines.contains("cookie ") ? " cookie " + s.name : "").append('\n');
    }
    return b.toString();
  }

  /** Sends {@code n} requests on one client connection; returns the servers that answered, in order. */
  private static List<String> requestsOnOneConnection(int port, int n) throws Exception {
    List<String> answeredBy = new ArrayList<>();
    try (RawHttpConnection c = new RawHttpConnection(HOST, port)) {
      for (int i = 0; i < n; i++) {
        Response r = c.get("/r" + i);
        assertEquals(200, r.status(), r.toString());
        assertFalse(r.saysClose(), "the client connection stays open: " + r);
        answeredBy.add(server(r));
      }
    }
    return answeredBy;
  }

  /** The backend that answered: a {@code TestHttpServer} answers {@code ok from <name>}. */
  private static String server(Response r) {
    return r.body().replace("ok from ", "");
  }

  /** Opens a client connection, leaves it open in {@code open}, and returns which server answered on it. */
  private static String openAndAsk(int port, List<RawHttpConnection> open) throws Exception {
    RawHttpConnection c = new RawHttpConnection(HOST, port);
    open.add(c);
    return server(c.get("/"));
  }

  /**
   * "option http-keep-alive: the client connection and the server connection both stay open between
   * requests"; "option http-server-close: keeps the client connection alive but closes the server
   * connection after each response". Three requests on one client connection: one server connection
   * with the first, three with the second; the client connection is kept by both.
   */
  @Test
  void httpServerCloseOpensAServerConnectionPerRequestWhereKeepAliveKeepsOne() throws Exception {
    for (String option : List.of("http-keep-alive", "http-server-close")) {
      int port = Loopback.freePort(HOST);
      try (TestHttpServer app = TestHttpServer.plain("app1", Loopback.APP1);
          Haproxy h = Haproxy.start(config(port, "http", "  option " + option + "\n", "", app))) {
        requestsOnOneConnection(port, 3);
        assertEquals(option.equals("http-keep-alive") ? 1 : 3, app.accepted.get(),
            "server connections for 3 requests with option " + option);
      }
    }
  }

  /**
   * "option http-pretend-keepalive: used with http-server-close, it makes HAProxy announce keep-alive to
   * the server ... while still closing after the response". Without it the server is told {@code
   * Connection: close}; with it, not; both close the server connection after each response.
   */
  @Test
  void pretendKeepaliveHidesTheCloseFromTheServerButStillClosesEachServerConnection() throws Exception {
    for (boolean pretend : new boolean[] {false, true}) {
      int port = Loopback.freePort(HOST);
      String options = "  option http-server-close\n" + (pretend ? "  option http-pretend-keepalive\n" : "");
      try (TestHttpServer app = TestHttpServer.plain("app1", Loopback.APP1);
          Haproxy h = Haproxy.start(config(port, "http", "", options, app))) {
        requestsOnOneConnection(port, 3);
        Await.until("the server connections closed", Duration.ofSeconds(5), () -> app.open() == 0);
        assertEquals(3, app.accepted.get(), "one server connection per request, pretend=" + pretend);
        for (String line : app.requestLines) {
          assertEquals(pretend ? "-" : "close", line.substring(line.lastIndexOf(' ') + 1),
              "Connection header the server saw, pretend=" + pretend + ": " + app.requestLines);
        }
      }
    }
  }

  /**
   * "option prefer-last-server" as HAProxy 2.6 runs it, which is not what its name suggests: with the
   * default {@code http-reuse safe}, six requests on one client connection still go to both servers in
   * turn, as without the option (the two server connections are reused, not pinned); only with {@code
   * http-reuse never}, where a server connection stays private to its client connection, do they stay
   * on one server. Both with {@code balance roundrobin} and {@code leastconn}.
   */
  @Test
  void preferLastServerPinsAClientConnectionOnlyWhenServerConnectionsArePrivate() throws Exception {
    record Case(String balance, String reuse, boolean prefer, int servers) {}
    List<Case> cases = new ArrayList<>();
    for (String balance : List.of("roundrobin", "leastconn")) {
      cases.add(new Case(balance, "", false, 2));
      cases.add(new Case(balance, "", true, 2));
      cases.add(new Case(balance, "http-reuse never", false, 2));
      cases.add(new Case(balance, "http-reuse never", true, 1));
    }
    for (Case c : cases) {
      int port = Loopback.freePort(HOST);
      String backend = "  balance " + c.balance() + "\n" + (c.reuse().isEmpty() ? "" : "  " + c.reuse() + "\n")
          + (c.prefer() ? "  option prefer-last-server\n" : "");
      try (TestHttpServer app1 = TestHttpServer.plain("app1", Loopback.APP1);
          TestHttpServer app2 = TestHttpServer.plain("app2", Loopback.APP2);
          Haproxy h = Haproxy.start(config(port, "http", "", backend, app1, app2))) {
        List<String> answeredBy = requestsOnOneConnection(port, 6);
        assertEquals(c.servers(), new LinkedHashSet<>(answeredBy).size(), c + ": " + answeredBy);
        assertEquals(c.servers(), app1.accepted.get() + app2.accepted.get(),
            c + ": one server connection per server, reused");
      }
    }
  }

  /**
   * "option redispatch: if the server a request is bound to (by persistence ...) cannot be reached, let
   * a retry go to another server instead of failing." A request whose cookie binds it to a server that
   * is gone (connection refused; no health check marks it down): a 503 without the option, the other
   * server's answer with it.
   */
  @Test
  void redispatchMovesABoundRequestOffAnUnreachableServer() throws Exception {
    for (boolean redispatch : new boolean[] {false, true}) {
      int port = Loopback.freePort(HOST);
      String backend = "  balance roundrobin\n  cookie SRV insert indirect nocache\n  retries 1\n"
          + (redispatch ? "  option redispatch\n" : "");
      try (TestHttpServer app1 = TestHttpServer.plain("app1", Loopback.APP1);
          TestHttpServer app2 = TestHttpServer.plain("app2", Loopback.APP2);
          Haproxy h = Haproxy.start(config(port, "http", "", backend, app1, app2))) {
        try (RawHttpConnection c = new RawHttpConnection(HOST, port)) {
          assertEquals("ok from app1", c.get("/", "Cookie: SRV=app1").body(), "the cookie binds to app1");
        }
        app1.close();
        try (RawHttpConnection c = new RawHttpConnection(HOST, port)) {
          Response r = c.get("/", "Cookie: SRV=app1");
          if (redispatch) {
            assertEquals(200, r.status(), r.toString());
            assertEquals("ok from app2", r.body());
          } else {
            assertEquals(503, r.status(), r.toString());
          }
        }
      }
    }
  }

  /**
   * "balance leastconn: each new connection ... goes to the server with the fewest connections; ties
   * take turns." In {@code mode tcp}, where each client connection holds one server connection: four
   * connections split two and two; after the two on one server close, the next two both go there.
   */
  @Test
  void leastconnSendsNewConnectionsToTheServerWithFewest() throws Exception {
    int port = Loopback.freePort(HOST);
    try (TestHttpServer app1 = TestHttpServer.plain("app1", Loopback.APP1);
        TestHttpServer app2 = TestHttpServer.plain("app2", Loopback.APP2);
        Haproxy h = Haproxy.start(config(port, "tcp", "", "  balance leastconn\n", app1, app2))) {
      List<RawHttpConnection> open = new ArrayList<>();
      List<String> servers = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          servers.add(openAndAsk(port, open));
        }
        assertEquals(2, servers.stream().filter("app1"::equals).count(), "ties take turns: " + servers);
        for (int i = 0; i < 4; i++) {
          if (servers.get(i).equals("app1")) {
            open.get(i).close();
          }
        }
        Await.until("app1's connections closed", Duration.ofSeconds(5), () -> app1.open() == 0);
        List<String> next = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          next.add(openAndAsk(port, open));
        }
        assertEquals(List.of("app1", "app1"), next, "the server with fewer connections takes both, after " + servers);
      } finally {
        for (RawHttpConnection c : open) {
          c.close();
        }
      }
    }
  }

  /**
   * "timeout server: ... a server that stays silent this long while a response is awaited gets a 504."
   * The same slow server answers in time under a longer timeout.
   */
  @Test
  void aServerSilentPastTimeoutServerGivesA504() throws Exception {
    for (String timeout : List.of("300ms", "5s")) {
      int port = Loopback.freePort(HOST);
      try (TestHttpServer app = TestHttpServer.plain("app1", Loopback.APP1);
          Haproxy h = Haproxy.start(config(port, "http", "", "  timeout server " + timeout + "\n", app))) {
        app.delayMillis = 1500;
        try (RawHttpConnection c = new RawHttpConnection(HOST, port)) {
          long start = System.nanoTime();
          Response r = c.get("/slow");
          long tookMs = (System.nanoTime() - start) / 1_000_000;
          if (timeout.equals("300ms")) {
            assertEquals(504, r.status(), r.toString());
            assertTrue(tookMs < 1500, "504 before the server answered: " + tookMs + " ms");
          } else {
            assertEquals(200, r.status(), r.toString());
          }
        }
      }
    }
  }

  /**
   * "With option httpchk an HTTP request (default OPTIONS / HTTP/1.0, passing on 2xx and 3xx)." A server
   * answering 302 stays up, one answering 404 goes down, and the check request is as stated.
   */
  @Test
  void httpchkSendsOptionsSlashOverHttp10AndPassesOn3xxButNot4xx() throws Exception {
    int port = Loopback.freePort(HOST);
    try (TestHttpServer redirects = TestHttpServer.plain("app1", Loopback.APP1);
        TestHttpServer missing = TestHttpServer.plain("app2", Loopback.APP2)) {
      String cfg = "defaults\n  mode http\n  timeout connect 1s\n  timeout client 10s\n  timeout server 10s\n"
          + "frontend fe\n  bind " + HOST + ":" + port + "\n  default_backend be\n"
          + "backend be\n  option httpchk\n"
          + "  server app1 " + redirects.address() + " check inter 100 fall 2 rise 1\n"
          + "  server app2 " + missing.address() + " check inter 100 fall 2 rise 1\n";
      try (Haproxy h = Haproxy.start(cfg)) {
        // Both start up on 200s (the test's HAProxy waits for that); then every path answers with the
        // status below: the default check asks for "/", not "/health".
        int before = redirects.requestLines.size();
        redirects.statusForAll = HttpResponseStatus.FOUND;
        missing.statusForAll = HttpResponseStatus.NOT_FOUND;
        Await.until("app2 marked down", Duration.ofSeconds(10), () -> h.status("be", "app2").startsWith("DOWN"));
        Await.until("app1 checked twice since answering 302", Duration.ofSeconds(10),
            () -> redirects.requestLines.size() >= before + 2);
        assertTrue(h.status("be", "app1").startsWith("UP"), h.status("be", "app1"));
        assertTrue(redirects.requestLines.get(0).startsWith("OPTIONS / HTTP/1.0 "), redirects.requestLines.toString());
      }
    }
  }

  /**
   * "A TCP check passes on a server that accepts connections but no longer answers (a frozen process):
   * only an HTTP check notices." One backend process, checked by two backends of one HAProxy, frozen
   * with SIGSTOP: the HTTP check marks it down; over the same time and two seconds more (20 checks) the
   * TCP check keeps it up, the kernel completing its connects into the listen backlog.
   */
  @Test
  void aFrozenServerPassesATcpCheckAndFailsAnHttpCheck() throws Exception {
    int port = Loopback.freePort(HOST);
    try (BackendProcess app = BackendProcess.start("app1", Loopback.APP1)) {
      String server = Loopback.APP1 + ":" + app.port + " check inter 100 fall 2 rise 1\n";
      String cfg = "defaults\n  mode http\n  timeout connect 500ms\n  timeout client 5s\n  timeout server 5s\n"
          + "  timeout check 200ms\n"
          + "frontend fe\n  bind " + HOST + ":" + port + "\n  default_backend tcp_checked\n"
          + "backend tcp_checked\n  server app1 " + server
          + "backend http_checked\n  option httpchk GET /health\n  server app1 " + server;
      try (Haproxy h = Haproxy.start(cfg)) {
        app.freeze();
        try {
          Await.until("the HTTP check marks the frozen server down", Duration.ofSeconds(10),
              () -> h.status("http_checked", "app1").startsWith("DOWN"));
          long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
          while (System.nanoTime() < until) {
            assertTrue(h.status("tcp_checked", "app1").startsWith("UP"), "the TCP check still passes: "
                + h.status("tcp_checked", "app1"));
            Thread.sleep(100);
          }
        } finally {
          app.thaw();
        }
      }
    }
  }
}
