package io.tether.bench.demo;

import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.tether.bench.e2e.LoadClient;
import io.tether.bench.e2e.NettyPoolLoadClient;
import io.tether.bench.e2e.TetherLoadClient;
import io.tether.netty.testing.Dnsmasq;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolListener;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Act 4: a scale-out. A DNS name (dnsmasq on 127.0.0.61, TTL 1 s) answers one server; 16 callers keep
 * keep-alive connections busy; then the name answers three. Netty's pool resolved the name when it
 * connected and keeps its connections: the new servers get nothing. Tether re-resolves on the TTL,
 * opens connections to the new servers and retires old ones until each has its share.
 */
final class ScaleOut {
  static final int CALLERS = 16;
  static final long BEFORE_MS = 2000;
  static final long AFTER_MS = 6000;
  /** The window at the end over which the new servers' share of requests is reported. */
  static final long WINDOW_MS = 2000;
  private static final String DNS_HOST = "127.0.0.61";
  private static final String NAME = "api.demo";

  /**
   * @param skipped why the act did not run, or null
   * @param newShare percent of the last {@value #WINDOW_MS} ms's requests the two new servers served
   * @param balancedMs ms from the DNS change until the end of the first 250 ms window in which each server
   *     served at least half its fair share, or -1 if none did
   */
  record Outcome(String skipped, int newShare, long balancedMs, int failed) {}

  private ScaleOut() {}

  static Outcome run(boolean tether, Progress progress) throws Exception {
    if (!Dnsmasq.installed()) {
      return new Outcome("needs dnsmasq (apt-get install dnsmasq-base)", 0, -1, 0);
    }
    List<TestHttpServer> servers = TestHttpServer.onOnePort(51, 3); // one port: an A record carries none
    int port = servers.get(0).port();
    NioEventLoopGroup dnsLoop = tether ? null : new NioEventLoopGroup(1); // Netty's resolver runs on it
    try (Dnsmasq dns = Dnsmasq.start(DNS_HOST, 1, Map.of(NAME, List.of("127.0.0.51")), List.of());
        LoadClient client = tether ? tetherClient(dns, port) : nettyClient(dns, port, dnsLoop)) {
      String label = "[4/4] scale-out 1 -> 3 servers, " + client.name();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger failed = new AtomicInteger();
      Map<String, Integer> why = new ConcurrentHashMap<>();
      for (int i = 0; i < CALLERS; i++) {
        chain(client, i, stop, failed, why);
      }
      TimeUnit.MILLISECONDS.sleep(BEFORE_MS);
      dns.setAddresses(Map.of(NAME, List.of("127.0.0.51", "127.0.0.52", "127.0.0.53")));
      long changed = System.nanoTime();
      long balancedMs = -1;
      int[] windowStart = counts(servers);
      int[] tailStart = null;
      while (System.nanoTime() - changed < TimeUnit.MILLISECONDS.toNanos(AFTER_MS)) {
        TimeUnit.MILLISECONDS.sleep(250);
        long elapsedMs = (System.nanoTime() - changed) / 1_000_000;
        int[] now = counts(servers);
        if (balancedMs < 0 && balanced(windowStart, now)) {
          balancedMs = elapsedMs;
        }
        windowStart = now;
        if (tailStart == null && elapsedMs >= AFTER_MS - WINDOW_MS) {
          tailStart = now;
        }
        progress.update(String.format("%s: %d ms after the DNS change, requests per server %s", label, elapsedMs,
            Arrays.toString(now)));
      }
      stop.set(true);
      int[] end = counts(servers);
      int total = 0;
      int onNew = 0;
      for (int i = 0; i < end.length; i++) {
        int d = end[i] - tailStart[i];
        total += d;
        onNew += i == 0 ? 0 : d;
      }
      int share = total == 0 ? 0 : Math.round(100f * onNew / total);
      progress.done(String.format("%s: the new servers served %d%% of the last %d s%s; %d failed", label, share,
          WINDOW_MS / 1000, balancedMs < 0 ? ", never balanced" : ", balanced " + balancedMs + " ms after the change",
          failed.get()) + (why.isEmpty() ? "" : " " + why));
      TimeUnit.MILLISECONDS.sleep(200); // let the last calls finish before the client closes
      return new Outcome(null, share, balancedMs, failed.get());
    } finally {
      servers.forEach(TestHttpServer::close);
      if (dnsLoop != null) {
        dnsLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      }
    }
  }

  /** Each server served at least half its fair share of the requests between two readings. */
  private static boolean balanced(int[] from, int[] to) {
    int total = 0;
    for (int i = 0; i < to.length; i++) {
      total += to[i] - from[i];
    }
    if (total == 0) {
      return false;
    }
    for (int i = 0; i < to.length; i++) {
      if ((to[i] - from[i]) * to.length * 2 < total) {
        return false;
      }
    }
    return true;
  }

  private static int[] counts(List<TestHttpServer> servers) {
    int[] c = new int[servers.size()];
    for (int i = 0; i < c.length; i++) {
      c[i] = servers.get(i).requests.get();
    }
    return c;
  }

  /** One caller: a request, and the next when it completes, until told to stop. */
  private static void chain(LoadClient client, int id, AtomicBoolean stop, AtomicInteger failed,
      Map<String, Integer> why) {
    if (stop.get()) {
      return;
    }
    client.get(id).whenComplete((status, error) -> {
      if (error != null || status != 200) {
        failed.incrementAndGet();
        Throwable t = error instanceof CompletionException && error.getCause() != null
            ? error.getCause() : error;
        why.merge(t == null ? "status " + status : t.getClass().getSimpleName() + ": " + t.getMessage(), 1, Integer::sum);
      }
      chain(client, id, stop, failed, why);
    });
  }

  private static LoadClient nettyClient(Dnsmasq dns, int port, NioEventLoopGroup dnsLoop) {
    // As a Netty user would point a bootstrap at a name: resolved by Netty's DNS resolver at each connect.
    DnsAddressResolverGroup resolver = new DnsAddressResolverGroup(new DnsNameResolverBuilder(dnsLoop.next())
        .channelType(NioDatagramChannel.class)
        .nameServerProvider(new SingletonDnsServerAddressStreamProvider(dns.address())));
    return new NettyPoolLoadClient(NAME, port, CALLERS, resolver);
  }

  private static LoadClient tetherClient(Dnsmasq dns, int port) {
    Properties p = new Properties();
    p.setProperty("tether.pool.name", "scale-out");
    p.setProperty("tether.pool.max-connections", Integer.toString(CALLERS));
    p.setProperty("tether.pool.discovery.dns", NAME + ":" + port);
    p.setProperty("tether.pool.discovery.resolver", dns.address().getHostString() + ":" + dns.address().getPort());
    PoolConfig config = PoolConfig.fromProperties(p);
    return new TetherLoadClient("Tether TetherHttpClient", NAME, port, config, true, PoolListener.NONE);
  }
}
