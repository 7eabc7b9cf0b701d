package io.tether.netty.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import io.tether.netty.TetherChannelPool;
import io.tether.netty.http.RetryPolicy;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.Dnsmasq;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.PoolConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pool whose only configuration is {@code tether.pool.*} properties finds its servers in a real dnsmasq:
 * no {@code DnsDiscovery} built by hand, no {@code dynamicServers()}.
 */
@Tag("dns")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DnsFromPropertiesTest {

  private static Properties props(String name, InetSocketAddress dns, String... more) {
    Properties p = new Properties();
    p.setProperty("tether.pool.name", name);
    p.setProperty("tether.pool.discovery.resolver", dns.getAddress().getHostAddress() + ":" + dns.getPort());
    p.setProperty("tether.pool.discovery.ttl-min", "200ms");
    p.setProperty("tether.pool.discovery.ttl-max", "1s");
    p.setProperty("tether.pool.discovery.hold-obsolete", "0s");
    p.setProperty("tether.pool.lb-idle-timeout", "10s");
    for (int i = 0; i < more.length; i += 2) {
      p.setProperty(more[i], more[i + 1]);
    }
    return p;
  }

  @Test
  void anHttpClientConfiguredByPropertiesFollowsTheDnsAnswer() throws Exception {
    Assumptions.assumeTrue(Dnsmasq.installed(), "dnsmasq is not installed (apt-get install dnsmasq-base)");
    List<TestHttpServer> servers = DnsDiscoveryScenarioTest.backends(3);
    int port = servers.get(0).port();
    EventLoopGroup group = new NioEventLoopGroup(2);
    try (Dnsmasq dns = Dnsmasq.start(DnsDiscoveryScenarioTest.DNS_HOST, 1,
        Map.of("api.test", DnsDiscoveryScenarioTest.ips(41, 42)), List.of())) {
      // The documented file, with the ports of this run and shorter times.
      Properties p = new Properties();
      try (java.io.InputStream in = getClass().getResourceAsStream("/docs/dns-discovery.properties")) {
        p.load(in);
      }
      p.setProperty("tether.pool.discovery.dns", "api.test:" + port);
      p.putAll(props("api", dns.address()));
      PoolConfig config = PoolConfig.fromProperties(p);
      assertEquals(Duration.ofSeconds(10), config.slowStart());
      try (TetherHttpClient client = TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
          .config(config).retryPolicy(RetryPolicy.NONE).requestTimeout(Duration.ofSeconds(5)).build()) {
        assertTrue(client.discovery() != null, "the client started discovery from its config");
        // Sent at once, before the first answer is in: they wait for a server instead of failing.
        assertTrue(client.stats().servers().isEmpty() || client.discovery().resolutionsOk() > 0,
            "no server before the first answer");
        Set<String> early = answers(client, 8);
        assertTrue(Set.of("ok from b1", "ok from b2").containsAll(early), String.valueOf(early));
        Await.until(Duration.ofSeconds(5), () -> client.discovery().servers().size() == 2,
            () -> String.valueOf(client.discovery().servers()));
        assertEquals(Set.of("api1", "api2"), client.discovery().servers().keySet(), "slots named by the prefix");
        // Both new servers are in their 10 s slow start, where the balancer's choice between two ramping
        // weights can favour one for a while: rounds of 40 until both have answered, within the ramp.
        Set<String> seen = new TreeSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (seen.size() < 2 && System.nanoTime() < deadline) {
          seen.addAll(answers(client, 40));
        }
        assertEquals(Set.of("ok from b1", "ok from b2"), seen);
        // The answer changes: the pool follows it, with no call of ours.
        dns.setAddresses(Map.of("api.test", DnsDiscoveryScenarioTest.ips(43)));
        Await.until(Duration.ofSeconds(10), () -> servedOnlyBy(client, "127.0.0.43"),
            () -> String.valueOf(client.discovery().servers()));
        assertEquals(Set.of("ok from b3"), answers(client, 20));
        assertTrue(client.discovery().resolutionsOk() >= 2, "resolved again after the TTL");
      }
    } finally {
      servers.forEach(TestHttpServer::close);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void aChannelPoolConfiguredByPropertiesTakesSrvTargetsAndStopsResolvingWhenClosed() throws Exception {
    Assumptions.assumeTrue(Dnsmasq.installed(), "dnsmasq is not installed (apt-get install dnsmasq-base)");
    List<TestHttpServer> servers = DnsDiscoveryScenarioTest.backends(2);
    int port = servers.get(0).port();
    EventLoopGroup group = new NioEventLoopGroup(1);
    try (Dnsmasq dns = Dnsmasq.start(DnsDiscoveryScenarioTest.DNS_HOST, 1,
        Map.of("s1.test", List.of("127.0.0.41"), "s2.test", List.of("127.0.0.42")),
        List.of("_http._tcp.svc.test,s1.test," + port + ",0,10", "_http._tcp.svc.test,s2.test," + port + ",0,30"))) {
      PoolConfig config = PoolConfig.fromProperties(props("srvprops", dns.address(),
          "tether.pool.discovery.dns-srv", "_http._tcp.svc.test"));
      TetherChannelPool pool = TetherChannelPool.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
          .config(config).build();
      try {
        Await.until(Duration.ofSeconds(5), () -> pool.discovery().servers().size() == 2,
            () -> String.valueOf(pool.discovery().servers()));
        Map<String, Integer> weights = new java.util.TreeMap<>();
        pool.discovery().servers().values().forEach(d -> weights.put(d.host() + ":" + d.port(), d.weight()));
        assertEquals(Map.of("127.0.0.41:" + port, 10, "127.0.0.42:" + port, 30), weights, "the records' targets and weights");
        assertEquals(Set.of("svc1", "svc2"), pool.discovery().servers().keySet(), "slots from the SRV name's first label");
        assertEquals(0, pool.stats().server("svc1").total(), "no connection before an acquire");
      } finally {
        pool.close();
      }
      long resolved = pool.discovery().resolutionsOk() + pool.discovery().resolutionsFailed();
      Thread.sleep(1500); // several TTLs: a discovery still running would have asked again
      assertEquals(resolved, pool.discovery().resolutionsOk() + pool.discovery().resolutionsFailed(),
          "closing the pool stopped its discovery");
    } finally {
      servers.forEach(TestHttpServer::close);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void aPoolWithFixedServersStartsNoDiscovery() {
    EventLoopGroup group = new NioEventLoopGroup(1);
    try {
      TetherChannelPool pool = TetherChannelPool.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
          .config(PoolConfig.builder().server(io.tether.pool.Endpoint.of("a", "127.0.0.1", 9)).build()).build();
      assertNull(pool.discovery());
      pool.close();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void discoveryWithoutAnEventLoopGroupFailsNamingTheKey() {
    Properties p = new Properties();
    p.setProperty("tether.pool.discovery.dns", "api.test:8080");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> TetherChannelPool.builder(new Bootstrap().channel(NioSocketChannel.class))
            .config(PoolConfig.fromProperties(p)).build());
    assertTrue(e.getMessage().startsWith("tether.pool.discovery.dns needs the bootstrap's event loop group"),
        e.getMessage());
  }

  /** {@code n} requests at once, so that least connections opens connections on every server. */
  private static Set<String> answers(TetherHttpClient client, int n) throws Exception {
    Set<String> seen = new TreeSet<>();
    List<java.util.concurrent.CompletableFuture<FullHttpResponse>> sent = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      sent.add(client.send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/")));
    }
    for (java.util.concurrent.CompletableFuture<FullHttpResponse> f : sent) {
      FullHttpResponse r = f.get(5, TimeUnit.SECONDS);
      try {
        seen.add(r.content().toString(StandardCharsets.UTF_8));
      } finally {
        r.release();
      }
    }
    return seen;
  }

  private static boolean servedOnlyBy(TetherHttpClient client, String ip) {
    var servers = client.discovery().servers();
    return servers.size() == 1 && servers.values().iterator().next().host().equals(ip)
        && client.stats().servers().size() == 1;
  }
}
