package io.tether.netty.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.server.IdleCloser;
import io.tether.netty.server.ServerMeters;
import io.tether.netty.dns.DnsDiscovery;
import io.tether.netty.testing.Dnsmasq;
import io.tether.netty.testing.DrainableBackend;
import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.Prometheus;
import io.tether.netty.testing.TestHttpServer;
import io.tether.netty.docs.DocSnippets;
import io.tether.pool.PoolConfig;
import io.tether.pool.ServerState;
import io.tether.pool.metrics.micrometer.PoolMeters;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Grafana dashboard against a real Prometheus: a pool (through a real HAProxy) and two servers
 * report to a {@code PrometheusMeterRegistry}, Prometheus scrapes it every second under light traffic
 * (requests, idle evictions, a server put in maintenance and back, HAProxy's checks, a drain, DNS
 * discovery answered by dnsmasq), and every
 * query of every panel, with {@code $pool} set, must return at least one series; every panel at least
 * one number.
 */
@Tag("haproxy")
@Tag("prometheus")
@Tag("slow") // not Netty-version specific: once, in the Netty 4.1 run
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RealPrometheusTest {
  private static final Pattern TITLE = Pattern.compile("\"title\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern EXPR = Pattern.compile("\"expr\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern VALUE = Pattern.compile("\"value\":\\[[0-9.e+]+,\"([^\"]+)\"\\]");

  @Test
  void everyDashboardQueryReturnsDataFromARealPrometheus() throws Exception {
    Assumptions.assumeTrue(Prometheus.installed(), "prometheus is not installed (apt-get install prometheus)");
    Map<String, List<String>> panels = panels(Files.readString(
        DocSnippets.root().resolve("docs/grafana/tether-dashboard.json")));
    assertTrue(panels.size() >= 12, "panels read: " + panels.keySet());

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    HttpServer exporter = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    exporter.createContext("/metrics", ex -> {
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    exporter.start();
    EventLoopGroup group = new NioEventLoopGroup(2);
    int port = Loopback.freePort(Loopback.LB);
    DrainableBackend app2 = new DrainableBackend(group, "app2", Loopback.APP2, 0, -1);
    io.tether.pool.ConnectionPool<?> dnsPool = null;
    Dnsmasq dns = null;
    DnsDiscovery discovery = null;
    try (TestHttpServer app1 = TestHttpServer.withTether("app1", Loopback.APP1,
            IdleCloser.beforeBalancerTimeout(Duration.ofSeconds(2), 0.5));
        Haproxy lb = Haproxy.start("defaults\n  mode http\n  timeout connect 1s\n  timeout client 10s\n"
            + "  timeout server 2s\n  timeout http-keep-alive 10s\nfrontend fe\n  bind " + Loopback.LB + ":" + port
            + "\n  default_backend be\nbackend be\n  option httpchk GET /health\n  http-check disable-on-404\n"
            + "  default-server check inter 100 fall 1 rise 1\n  server app1 " + app1.address()
            + "\n  server app2 " + Loopback.APP2 + ":" + app2.port() + "\n");
        TetherHttpClient client = TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
            .config(PoolConfig.builder().name("dash").server("lb", Loopback.LB, port).maxConnections(8)
                .lbIdleTimeout(Duration.ofSeconds(1)).build())
            .metrics(new PoolMeters(registry)).build();
        Prometheus prometheus = Prometheus.start("127.0.0.1:" + exporter.getAddress().getPort())) {
      ServerMeters.of("app1", app1.quiet, app1.idleCloser).bindTo(registry);
      ServerMeters.of("app2", null, null, app2.drain).bindTo(registry);
      // DNS discovery for a pool of the same name, answered by a real dnsmasq when there is one.
      dnsPool = io.tether.pool.ConnectionPool.builder(new io.tether.pool.testing.FakeConnector()).dynamicServers()
          .config(PoolConfig.builder().name("dash").build())
          .scheduler(io.tether.pool.spi.Scheduler.of(group.next())).build();
      dns = Dnsmasq.installed() ? Dnsmasq.start("127.0.0.60", 1, Map.of("api.test", List.of("127.0.0.41")), List.of())
          : null;
      discovery = DnsDiscovery.builder(dnsPool, group.next()).addresses("api.test", 8080)
          .nameServer(dns != null ? dns.address() : new InetSocketAddress("127.0.0.60", 9))
          .ttlBounds(Duration.ofMillis(500), Duration.ofSeconds(1)).queryTimeout(Duration.ofMillis(200)).build();
      discovery.start();
      discovery.meters().bindTo(registry);

      for (int round = 0; round < 6; round++) {
        List<java.util.concurrent.CompletableFuture<?>> burst = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          burst.add(client.send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"))
              .thenAccept(r -> r.release()));
        }
        java.util.concurrent.CompletableFuture.allOf(burst.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
            .get(10, TimeUnit.SECONDS);
        if (round == 2) {
          client.pool().setServerState("lb", ServerState.MAINT);
          client.pool().setServerState("lb", ServerState.UP);
        }
        Thread.sleep(1100); // past the 1s idle timeout: connections are evicted and opened again
      }
      app2.drain.start().get(15, TimeUnit.SECONDS);
      Thread.sleep(2500); // two more scrapes after the last events

      Map<String, String> empty = new LinkedHashMap<>();
      List<String> noNumber = new ArrayList<>();
      int queries = 0;
      for (Map.Entry<String, List<String>> panel : panels.entrySet()) {
        boolean anyNumber = false;
        for (String expr : panel.getValue()) {
          String promql = expr.replace("$pool", "dash");
          String answer = prometheus.query(promql);
          queries++;
          assertTrue(answer.contains("\"status\":\"success\""), promql + " -> " + answer);
          if (answer.contains("\"result\":[]")) {
            empty.put(panel.getKey() + ": " + promql, answer);
          }
          Matcher v = VALUE.matcher(answer);
          while (v.find()) {
            anyNumber |= !v.group(1).equals("NaN");
          }
        }
        if (!anyNumber) {
          noNumber.add(panel.getKey());
        }
      }
      System.out.printf("real Prometheus (%s): %d panels, %d queries, %d with no series, %d panels without a number%n",
          "2.42 from Debian", panels.size(), queries, empty.size(), noNumber.size());
      assertEquals(Map.of(), empty, "dashboard queries that returned no series");
      assertEquals(List.of(), noNumber, "panels that showed no number");
    } finally {
      if (discovery != null) {
        discovery.close();
      }
      if (dns != null) {
        dns.close();
      }
      if (dnsPool != null) {
        dnsPool.close();
      }
      app2.close();
      exporter.stop(0);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** Panel title to its queries, in the file's order (a panel's title comes before its targets). */
  static Map<String, List<String>> panels(String json) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    int panelsAt = json.indexOf("\"panels\"");
    Matcher t = TITLE.matcher(json);
    List<int[]> spans = new ArrayList<>();
    List<String> titles = new ArrayList<>();
    while (t.find()) {
      if (t.start() > panelsAt) {
        spans.add(new int[] {t.start()});
        titles.add(unescape(t.group(1)));
      }
    }
    for (int i = 0; i < titles.size(); i++) {
      int end = i + 1 < spans.size() ? spans.get(i + 1)[0] : json.length();
      Matcher e = EXPR.matcher(json).region(spans.get(i)[0], end);
      List<String> exprs = new ArrayList<>();
      while (e.find()) {
        exprs.add(unescape(e.group(1)));
      }
      if (!exprs.isEmpty()) {
        out.put(titles.get(i), exprs);
      }
    }
    return out;
  }

  private static String unescape(String s) {
    return s.replace("\\\"", "\"").replace("\\\\", "\\");
  }
}
