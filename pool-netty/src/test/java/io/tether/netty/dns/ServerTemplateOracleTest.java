package io.tether.netty.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.tether.netty.testing.Dnsmasq;
import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.Loopback;
import io.tether.pool.ConnectionPool;
import io.tether.pool.PoolConfig;
import io.tether.pool.haproxy.DnsTemplate;
import io.tether.pool.haproxy.HaproxyConfig;
import io.tether.pool.spi.Scheduler;
import io.tether.pool.testing.FakeConnector;
import io.tether.pool.testing.FakeConnector.Conn;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * HAProxy is the oracle for {@code server-template ... resolvers}: a real HAProxy and Tether read the
 * same haproxy.cfg and ask the same dnsmasq; the addresses HAProxy's template servers hold ({@code show
 * servers state}) and the servers Tether's discovery keeps must be the same set, before and after the
 * DNS answer changes, and bounded by the template's count alike.
 */
@Tag("haproxy")
@Tag("dns")
class ServerTemplateOracleTest {

  @Test
  void tetherFollowsTheTemplateAsHaproxyDoes() throws Exception {
    Assumptions.assumeTrue(Dnsmasq.installed(), "dnsmasq is not installed (apt-get install dnsmasq-base)");
    EventLoopGroup group = new NioEventLoopGroup(1);
    ConnectionPool<Conn> pool = fakePool(group, "template");
    int port = Loopback.freePort(Loopback.LB);
    try (Dnsmasq dns = Dnsmasq.start(DnsDiscoveryScenarioTest.DNS_HOST, 1,
            Map.of("api.test", DnsDiscoveryScenarioTest.ips(41, 42, 43)), List.of());
        Haproxy lb = Haproxy.start(config(dns, port, "api.test:8080"))) {
      List<DnsTemplate> templates = HaproxyConfig.read(lb.dir().resolve("haproxy.cfg")).discovery("be");
      assertEquals(1, templates.size());
      try (DnsDiscovery discovery = DnsDiscovery.builder(pool, group.next()).apply(templates.get(0)).build()) {
        discovery.start().get(5, TimeUnit.SECONDS);
        agree(lb, discovery, new TreeSet<>(DnsDiscoveryScenarioTest.ips(41, 42, 43)));

        dns.setAddresses(Map.of("api.test", DnsDiscoveryScenarioTest.ips(42, 44)));
        agree(lb, discovery, new TreeSet<>(DnsDiscoveryScenarioTest.ips(42, 44)));

        // More addresses than the template has servers: both keep four.
        dns.setAddresses(Map.of("api.test", DnsDiscoveryScenarioTest.ips(41, 42, 43, 44, 45, 46)));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        TreeSet<String> haproxy;
        do {
          Thread.sleep(100);
          haproxy = haproxyServers(lb, false);
        } while ((haproxy.size() < 4 || discovery.servers().size() < 4) && System.nanoTime() < until);
        System.out.println("template of 4, 6 addresses in DNS: HAProxy holds " + haproxy + ", Tether "
            + DnsDiscoveryScenarioTest.hosts(discovery));
        assertEquals(4, haproxy.size(), "HAProxy: " + haproxy);
        assertEquals(4, discovery.servers().size(), "Tether: " + discovery.servers());
        assertTrue(haproxy.contains("127.0.0.42") && haproxy.contains("127.0.0.44")
            && DnsDiscoveryScenarioTest.hosts(discovery).containsAll(List.of("127.0.0.42", "127.0.0.44")),
            "both keep the addresses they had");
      }
    } finally {
      pool.close();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /**
   * An SRV template: one target's address comes in the SRV answer's additional section, the other's only
   * from a lookup of its own (dnsmasq leaves out names answered from an {@code --address} rule). HAProxy
   * and Tether must hold the same address and port for each.
   */
  @Test
  void tetherFollowsAnSrvTemplateAsHaproxyDoes() throws Exception {
    Assumptions.assumeTrue(Dnsmasq.installed(), "dnsmasq is not installed (apt-get install dnsmasq-base)");
    EventLoopGroup group = new NioEventLoopGroup(1);
    ConnectionPool<Conn> pool = fakePool(group, "srv-template");
    int port = Loopback.freePort(Loopback.LB);
    try (Dnsmasq dns = Dnsmasq.start(DnsDiscoveryScenarioTest.DNS_HOST, 1, Map.of("w1.test", List.of("127.0.0.41")),
            List.of("_http._tcp.svc.test,w1.test,9001,0,10", "_http._tcp.svc.test,w4.test,9004,0,10"),
            List.of("/w4.test/127.0.0.44"), List.of());
        Haproxy lb = Haproxy.start(config(dns, port, "_http._tcp.svc.test"))) {
      List<DnsTemplate> templates = HaproxyConfig.read(lb.dir().resolve("haproxy.cfg")).discovery("be");
      assertEquals(1, templates.size());
      assertTrue(templates.get(0).srv(), templates.get(0).toString());
      try (DnsDiscovery discovery = DnsDiscovery.builder(pool, group.next()).apply(templates.get(0)).build()) {
        discovery.start().get(5, TimeUnit.SECONDS);
        TreeSet<String> expected = new TreeSet<>(List.of("127.0.0.41:9001", "127.0.0.44:9004"));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        TreeSet<String> haproxy = haproxyServers(lb, true);
        while (!haproxy.equals(expected) && System.nanoTime() < until) {
          Thread.sleep(50);
          haproxy = haproxyServers(lb, true);
        }
        TreeSet<String> tether = new TreeSet<>();
        discovery.servers().values().forEach(d -> tether.add(d.host() + ":" + d.port()));
        System.out.println("SRV template, one target only by its own lookup: HAProxy holds " + haproxy
            + ", Tether " + tether);
        assertEquals(expected, haproxy, "HAProxy's view");
        assertEquals(haproxy, tether, "Tether agrees with HAProxy");
      }
    } finally {
      pool.close();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** Waits until HAProxy's template servers and Tether's discovery both hold {@code expected}. */
  private static void agree(Haproxy lb, DnsDiscovery d, TreeSet<String> expected) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    TreeSet<String> haproxy = haproxyServers(lb, false);
    while ((!haproxy.equals(expected) || !DnsDiscoveryScenarioTest.hosts(d).equals(expected))
        && System.nanoTime() < until) {
      Thread.sleep(50);
      haproxy = haproxyServers(lb, false);
    }
    System.out.println("DNS " + expected + ": HAProxy holds " + haproxy + ", Tether " + DnsDiscoveryScenarioTest.hosts(d));
    assertEquals(expected, haproxy, "HAProxy's view");
    assertEquals(haproxy, DnsDiscoveryScenarioTest.hosts(d), "Tether agrees with HAProxy");
  }

  /**
   * Addresses ({@code address:port} with {@code withPorts}) of the template's servers in service: {@code
   * show servers state}, not in resolution maintenance.
   */
  private static TreeSet<String> haproxyServers(Haproxy lb, boolean withPorts) throws IOException {
    TreeSet<String> out = new TreeSet<>();
    for (String line : lb.command("show servers state be").split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length > (withPorts ? 18 : 6) && !line.startsWith("#") && f[3].startsWith("api")) {
        int admin = Integer.parseInt(f[6]);
        if ((admin & 0x20) == 0 && !f[4].equals("-")) {
          out.add(withPorts ? f[4] + ":" + f[18] : f[4]);
        }
      }
    }
    return out;
  }

  /** One backend of a four-server template of {@code address} (host:port, or an SRV name) resolved by {@code dns}. */
  private static String config(Dnsmasq dns, int port, String address) {
    return "defaults\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n\n"
        + "resolvers dns\n  nameserver ns1 " + dns.address().getHostString() + ":" + dns.address().getPort() + "\n"
        + "  hold valid 1s\n  hold obsolete 0s\n  timeout resolve 500ms\n  timeout retry 500ms\n\n"
        + "backend be\n  mode http\n  server-template api 4 " + address + " resolvers dns init-addr none\n\n"
        + "frontend fe\n  mode http\n  bind " + Loopback.LB + ":" + port + "\n  default_backend be\n";
  }

  private static ConnectionPool<Conn> fakePool(EventLoopGroup group, String name) {
    return ConnectionPool.builder(new FakeConnector()).dynamicServers()
        .config(PoolConfig.builder().name(name).build()).scheduler(Scheduler.of(group.next())).build();
  }
}
