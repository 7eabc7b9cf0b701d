package io.tether.netty.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.tether.netty.http.RetryPolicy;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.testing.Dnsmasq;
import io.tether.netty.testing.HttpLoad;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.ConnectionPool;
import io.tether.pool.Lease;
import io.tether.pool.PoolConfig;
import io.tether.pool.spi.Scheduler;
import io.tether.pool.testing.FakeConnector;
import io.tether.pool.testing.FakeConnector.Conn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A DNS outage under load, an NXDOMAIN held back, and SRV records' weights and ports, against dnsmasq. */
@Tag("dns")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DnsOutageAndSrvTest {
  /** How long the DNS server stays down; the issue asks for a minute. */
  private static final Duration OUTAGE = Duration.ofSeconds(60);

  @Test
  @Tag("slow")
  void aMinuteWithoutDnsFailsNoRequestAndThePoolFollowsTheNextAnswer() throws Exception {
    Assumptions.assumeTrue(Dnsmasq.installed(), "dnsmasq is not installed (apt-get install dnsmasq-base)");
    List<TestHttpServer> servers = DnsDiscoveryScenarioTest.backends(3);
    int port = servers.get(0).port();
    EventLoopGroup group = new NioEventLoopGroup(2);
    HttpLoad load = null;
    try (Dnsmasq dns = Dnsmasq.start(DnsDiscoveryScenarioTest.DNS_HOST, 1,
            Map.of("api.test", DnsDiscoveryScenarioTest.ips(41, 42)), List.of());
        TetherHttpClient client = TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
            .config(PoolConfig.builder().name("outage").maxConnections(16).lbIdleTimeout(Duration.ofSeconds(10)).build())
            .dynamicServers().retryPolicy(RetryPolicy.NONE).requestTimeout(Duration.ofSeconds(5)).build();
        DnsDiscovery discovery = DnsDiscovery.builder(client.pool().leases(), group.next())
            .addresses("api.test", port).nameServer(dns.address())
            .ttlBounds(Duration.ofMillis(500), Duration.ofSeconds(5)).holdObsolete(Duration.ofSeconds(1))
            .queryTimeout(Duration.ofMillis(300)).build()) {
      discovery.start().get(5, TimeUnit.SECONDS);
      load = HttpLoad.start(client, 16, Duration.ofMillis(1));
      Thread.sleep(500);
      TreeSet<String> before = DnsDiscoveryScenarioTest.hosts(discovery);
      dns.stop();
      long failedBefore = discovery.resolutionsFailed();
      long end = System.nanoTime() + OUTAGE.toNanos();
      while (System.nanoTime() < end) {
        assertEquals(before, DnsDiscoveryScenarioTest.hosts(discovery), "the outage changed the servers");
        assertEquals(2, client.stats().servers().size());
        Thread.sleep(250);
      }
      long failedDuring = discovery.resolutionsFailed() - failedBefore;
      int okDuring = load.ok.get();
      dns.setAddressesWhileStopped(Map.of("api.test", DnsDiscoveryScenarioTest.ips(42, 43)));
      dns.start();
      long back = System.nanoTime();
      while (!DnsDiscoveryScenarioTest.hosts(discovery).equals(new TreeSet<>(DnsDiscoveryScenarioTest.ips(42, 43)))) {
        assertTrue(System.nanoTime() - back < TimeUnit.SECONDS.toNanos(5), "discovery has " + discovery.servers());
        Thread.sleep(20);
      }
      long followedMs = (System.nanoTime() - back) / 1_000_000;
      Thread.sleep(500);
      load.stop();
      System.out.printf("DNS down %d s under 16 callers, retries off: %d failed queries, %d requests ok by its end,"
          + " %d failed in all; back with a new answer, followed after %d ms: %s%n", OUTAGE.toSeconds(),
          failedDuring, okDuring, load.failed.get(), followedMs, discovery.servers());
      assertEquals(List.of(), new ArrayList<>(load.failures), "no request failed");
      assertTrue(failedDuring >= OUTAGE.toSeconds() / 2, "queries failed during the outage: " + failedDuring);
      assertTrue(servers.get(2).accepted.get() > 0, "the new server (127.0.0.43) took connections");
    } finally {
      if (load != null) {
        load.stop();
      }
      servers.forEach(TestHttpServer::close);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void nxdomainIsBelievedOnlyAfterHoldNx() throws Exception {
    Assumptions.assumeTrue(Dnsmasq.installed(), "dnsmasq is not installed (apt-get install dnsmasq-base)");
    EventLoopGroup group = new NioEventLoopGroup(1);
    ConnectionPool<Conn> pool = fakePool(group);
    try (Dnsmasq dns = Dnsmasq.start(DnsDiscoveryScenarioTest.DNS_HOST, 1,
            Map.of("api.test", DnsDiscoveryScenarioTest.ips(41, 42)), List.of());
        DnsDiscovery discovery = DnsDiscovery.builder(pool, group.next()).addresses("api.test", 8080)
            .nameServer(dns.address()).ttlBounds(Duration.ofMillis(200), Duration.ofSeconds(1))
            .holdObsolete(Duration.ZERO).holdNx(Duration.ofSeconds(2)).build()) {
      discovery.start().get(5, TimeUnit.SECONDS);
      dns.setAddresses(Map.of()); // the name is gone: NXDOMAIN
      long gone = System.nanoTime();
      Thread.sleep(1200);
      assertEquals(2, pool.stats().servers().size(), "NXDOMAIN for 1.2 s (hold nx 2 s): servers kept");
      while (!pool.stats().servers().isEmpty()) {
        assertTrue(System.nanoTime() - gone < TimeUnit.SECONDS.toNanos(5), "still " + pool.stats().servers());
        Thread.sleep(50);
      }
      assertTrue(discovery.resolutionsEmpty() > 0);
    } finally {
      pool.close();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /**
   * SRV weights 10:30:60 over 10,000 connections held open (a fake transport: the answer is real, the
   * connections need not be): each server's share within 10% of its weight's; ports from the records.
   */
  @Test
  void srvWeightsSteerNewConnectionsInProportion() throws Exception {
    Dns dns = new Dns(Map.of("w1.test", List.of("127.0.0.41"), "w2.test", List.of("127.0.0.42"),
        "w3.test", List.of("127.0.0.43")), List.of("_http._tcp.svc.test,w1.test,9001,0,10",
        "_http._tcp.svc.test,w2.test,9002,0,30", "_http._tcp.svc.test,w3.test,9003,0,60"), List.of(), List.of());
    withSrvDiscovery(dns, Duration.ofSeconds(2), (pool, discovery) -> {
      assertEquals(List.of("svc1", "svc2", "svc3"), discovery.start().get(5, TimeUnit.SECONDS).added());
      Map<Integer, Integer> weightByPort = new TreeMap<>();
      discovery.servers().values().forEach(d -> weightByPort.put(d.port(), d.weight()));
      assertEquals(Map.of(9001, 10, 9002, 30, 9003, 60), weightByPort, "SRV weights that fit in 0-256, as they are");
      List<Lease<Conn>> held = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        held.add(pool.acquire().get(5, TimeUnit.SECONDS));
      }
      Map<Integer, Integer> byPort = new TreeMap<>();
      for (Lease<Conn> l : held) {
        byPort.merge(((java.net.InetSocketAddress) l.connection().endpoint.socketAddress()).getPort(), 1, Integer::sum);
      }
      System.out.println("SRV weights 10:30:60, 10,000 connections by port: " + byPort);
      int[] expected = {1000, 3000, 6000};
      int i = 0;
      for (int n : byPort.values()) {
        assertTrue(Math.abs(n - expected[i]) <= expected[i] / 10, "share " + byPort);
        i++;
      }
    });
  }

  /**
   * SRV targets whose addresses the SRV answer leaves out (dnsmasq does for names from an {@code
   * --address} rule, as caching resolvers often do): each is looked up on its own in the same round,
   * with its record's port and weight; a target answered in the additional section is not asked again.
   */
  @Test
  void srvTargetsMissingFromTheAdditionalSectionAreLookedUp() throws Exception {
    Dns dns = new Dns(Map.of("w1.test", List.of("127.0.0.41")), List.of("_http._tcp.svc.test,w1.test,9001,0,10",
        "_http._tcp.svc.test,w4.test,9004,0,30", "_http._tcp.svc.test,w5.test,9005,0,60"),
        List.of("/w4.test/127.0.0.44", "/w5.test/127.0.0.45"), List.of());
    withSrvDiscovery(dns, Duration.ofSeconds(2), (pool, discovery) -> {
      assertEquals(3, discovery.start().get(5, TimeUnit.SECONDS).added().size());
      Map<String, String> found = new TreeMap<>();
      discovery.servers().values().forEach(d -> found.put(d.host() + ":" + d.port(), "weight " + d.weight()));
      assertEquals(Map.of("127.0.0.41:9001", "weight 10", "127.0.0.44:9004", "weight 30",
          "127.0.0.45:9005", "weight 60"), found);
    });
  }

  /**
   * An SRV target whose own lookups fail (dnsmasq forwards its name to a server that is not there) makes
   * the round a failed one, as a timeout of the SRV query would: the round is not applied, so a target
   * lost to a DNS failure is not read as a server gone.
   */
  @Test
  void aRoundWithAnSrvTargetThatCannotBeLookedUpIsNotApplied() throws Exception {
    Dns dns = new Dns(Map.of("w1.test", List.of("127.0.0.41")), List.of("_http._tcp.svc.test,w1.test,9001,0,10",
        "_http._tcp.svc.test,w6.test,9006,0,10"), List.of(), List.of("/w6.test/127.0.0.1#9"));
    withSrvDiscovery(dns, Duration.ofMillis(300), (pool, discovery) -> {
      java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
          java.util.concurrent.ExecutionException.class, () -> discovery.start().get(5, TimeUnit.SECONDS));
      System.out.println("an SRV target that cannot be looked up: " + e.getCause());
      assertEquals(Map.of(), discovery.servers(), "nothing applied from a round that lost a target");
      assertEquals(0, pool.stats().servers().size());
    });
  }

  /** What dnsmasq serves: hosts, {@code --srv-host} records, {@code --address} and {@code --server} rules. */
  private record Dns(Map<String, List<String>> hosts, List<String> srv, List<String> addressRules,
      List<String> serverRules) {}

  private interface SrvCase {
    void run(ConnectionPool<Conn> pool, DnsDiscovery discovery) throws Exception;
  }

  /** Runs {@code body} on a fake pool fed by discovery of {@code _http._tcp.svc.test} from {@code dns}. */
  private static void withSrvDiscovery(Dns dns, Duration queryTimeout, SrvCase body) throws Exception {
    Assumptions.assumeTrue(Dnsmasq.installed(), "dnsmasq is not installed (apt-get install dnsmasq-base)");
    EventLoopGroup group = new NioEventLoopGroup(1);
    ConnectionPool<Conn> pool = fakePool(group);
    try (Dnsmasq server = Dnsmasq.start(DnsDiscoveryScenarioTest.DNS_HOST, 5, dns.hosts(), dns.srv(),
            dns.addressRules(), dns.serverRules());
        DnsDiscovery discovery = DnsDiscovery.builder(pool, group.next()).srv("_http._tcp.svc.test")
            .nameServer(server.address()).queryTimeout(queryTimeout).build()) {
      body.run(pool, discovery);
    } finally {
      pool.close();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static ConnectionPool<Conn> fakePool(EventLoopGroup group) {
    return ConnectionPool.builder(new FakeConnector()).dynamicServers()
        .config(PoolConfig.builder().name("fake").maxConnections(10_000).lbIdleTimeout(Duration.ofMinutes(10)).build())
        .scheduler(Scheduler.of(group.next())).build();
  }
}
