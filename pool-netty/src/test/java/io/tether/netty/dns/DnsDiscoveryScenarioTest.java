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
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolStats;
import io.tether.pool.membership.Discovered;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pool membership from a real DNS server (dnsmasq on 127.0.0.60) under keep-alive load from 64 callers,
 * retries off, backends on 127.0.0.41-45 (one port): the answer goes 2 -> 5 -> 1 -> 3 addresses; no
 * request fails, a removed server gets no new connection once the change is seen, and every live
 * server's connection count comes within 20% of its fair share within 4 s (2 x max(TTL 1s, the 2 s the
 * rebalancer is given)), with no max-lifetime: long-lived connections move by rebalancing alone.
 */
@Tag("dns")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DnsDiscoveryScenarioTest {
  static final String DNS_HOST = "127.0.0.60";
  private static final int CALLERS = 64;

  /** Backends b1..bn on 127.0.0.41 onwards, all on one port (DNS A records carry no port). */
  static List<TestHttpServer> backends(int n) throws InterruptedException {
    return TestHttpServer.onOnePort(41, n);
  }

  static List<String> ips(int... last) {
    List<String> out = new ArrayList<>();
    for (int i : last) {
      out.add("127.0.0." + i);
    }
    return out;
  }

  @Test
  void membershipFollowsDnsUnderLoadWithoutAFailedRequest() throws Exception {
    Assumptions.assumeTrue(Dnsmasq.installed(), "dnsmasq is not installed (apt-get install dnsmasq-base)");
    List<TestHttpServer> servers = backends(5);
    int port = servers.get(0).port();
    EventLoopGroup group = new NioEventLoopGroup(2);
    HttpLoad load = null;
    try (Dnsmasq dns = Dnsmasq.start(DNS_HOST, 1, Map.of("api.test", ips(41, 42)), List.of());
        TetherHttpClient client = TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
            .config(PoolConfig.builder().name("dns").maxConnections(CALLERS).lbIdleTimeout(Duration.ofSeconds(10)).build())
            .dynamicServers().retryPolicy(RetryPolicy.NONE).requestTimeout(Duration.ofSeconds(5)).build();
        DnsDiscovery discovery = DnsDiscovery.builder(client.pool().leases(), group.next())
            .addresses("api.test", port).nameServer(dns.address()).slotPrefix("api")
            .ttlBounds(Duration.ofMillis(500), Duration.ofSeconds(5)).holdObsolete(Duration.ofSeconds(1))
            .queryTimeout(Duration.ofMillis(500)).build()) {
      assertEquals(List.of("api1", "api2"), discovery.start().get(5, TimeUnit.SECONDS).added());
      load = HttpLoad.start(client, CALLERS, Duration.ZERO);
      List<String> report = new ArrayList<>();
      for (int[] answer : new int[][] {{41, 42, 43, 44, 45}, {43}, {41, 44, 45}}) {
        List<String> wanted = ips(answer);
        Map<String, String> slotOf = new HashMap<>(); // address -> slot name, before the change
        discovery.servers().forEach((slot, d) -> slotOf.put(d.host(), slot));
        dns.setAddresses(Map.of("api.test", wanted));
        long changed = System.nanoTime();
        while (!hosts(discovery).equals(new java.util.TreeSet<>(wanted))) {
          assertTrue(System.nanoTime() - changed < TimeUnit.SECONDS.toNanos(5), "discovery saw " + discovery.servers());
          Thread.sleep(20);
        }
        long seen = System.nanoTime();
        // A connect already under way when the change is seen may still land: it counts as before it.
        Map<String, Integer> acceptedAtChange = new HashMap<>();
        Map<String, Integer> connecting = new HashMap<>();
        for (PoolStats.Server sv : client.stats().servers()) {
          connecting.put(sv.name(), sv.connecting());
        }
        for (TestHttpServer s : servers) {
          String slot = slotOf.get(s.host());
          acceptedAtChange.put(s.name, s.accepted.get() + (slot == null ? 0 : connecting.getOrDefault(slot, 0)));
        }
        long deadline = seen + TimeUnit.SECONDS.toNanos(4); // 2 x max(TTL 1s, a 2 s rebalancing budget)
        Map<String, Integer> counts;
        while (true) {
          counts = connectionsByHost(client, discovery);
          if (fair(counts, wanted.size()) || System.nanoTime() > deadline) {
            break;
          }
          Thread.sleep(50);
        }
        long tookMs = (System.nanoTime() - seen) / 1_000_000;
        report.add(wanted.size() + " servers: seen after " + (seen - changed) / 1_000_000 + " ms, fair after "
            + tookMs + " ms: " + counts);
        assertTrue(fair(counts, wanted.size()), "within 20% of fair share 4 s after the change: " + counts);
        Thread.sleep(1500); // the removed servers' last connections drain; no new one may reach them
        for (TestHttpServer s : servers) {
          if (!wanted.contains(s.host())) {
            assertTrue(s.accepted.get() <= acceptedAtChange.get(s.name), s.name + " (removed) got a new connection: "
                + s.accepted.get() + " accepted, " + acceptedAtChange.get(s.name) + " counting connects under way");
          }
        }
      }
      load.stop();
      System.out.printf("DNS membership 2 -> 5 -> 1 -> 3 under %d callers, retries off: %d ok, %d failed; %s;"
          + " resolutions %d ok, %d failed%n", CALLERS, load.ok.get(), load.failed.get(), report,
          discovery.resolutionsOk(), discovery.resolutionsFailed());
      assertEquals(List.of(), new ArrayList<>(load.failures), "no request failed");
      assertTrue(load.ok.get() > 5000, "load ran: " + load.ok.get());
    } finally {
      if (load != null) {
        load.stop();
      }
      servers.forEach(TestHttpServer::close);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  static java.util.TreeSet<String> hosts(DnsDiscovery d) {
    java.util.TreeSet<String> out = new java.util.TreeSet<>();
    for (Discovered x : d.servers().values()) {
      out.add(x.host());
    }
    return out;
  }

  /** Open connections per backend address, for the servers discovery currently has. */
  private static Map<String, Integer> connectionsByHost(TetherHttpClient client, DnsDiscovery d) {
    Map<String, Integer> out = new LinkedHashMap<>();
    Map<String, Discovered> bySlot = d.servers();
    for (PoolStats.Server s : client.stats().servers()) {
      Discovered x = bySlot.get(s.name());
      if (x != null) {
        out.put(x.host(), s.total());
      }
    }
    return out;
  }

  private static boolean fair(Map<String, Integer> counts, int servers) {
    if (counts.size() != servers) {
      return false;
    }
    int total = counts.values().stream().mapToInt(Integer::intValue).sum();
    double share = (double) total / servers;
    return total > 0 && counts.values().stream().allMatch(c -> Math.abs(c - share) <= 0.2 * share);
  }
}
