package io.tether.netty.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.PoolConfig;
import io.tether.pool.haproxy.HaproxyConfig;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The recommended configurations of docs/haproxy.md are valid for HAProxy 2.6 ({@code haproxy -c}),
 * agree with their Tether properties, and work: HAProxy runs each one (addresses moved to loopback) and
 * a Tether client configured from the matching properties gets its answers from both servers.
 */
@Tag("haproxy")
@Timeout(60)
class HaproxyGuideTest {

  private static String resource(String name) throws Exception {
    return Files.readString(Path.of(HaproxyGuideTest.class.getResource("/docs/" + name).toURI()));
  }

  @Test
  void httpKeepAlivePair() throws Exception {
    check("haproxy-http.cfg", "tether-http.properties", "api", Duration.ofSeconds(60), "10.0.0.10:80", ":8080");
  }

  @Test
  void longTcpSessionPair() throws Exception {
    check("haproxy-tcp.cfg", "tether-tcp.properties", "sessions", Duration.ofHours(1), "10.0.0.10:9000", ":9000");
  }

  private static void check(String cfgName, String propsName, String section, Duration idle, String lbAddress,
      String serverPort) throws Exception {
    String cfg = resource(cfgName);
    Path file = Files.createTempFile("tether-guide", ".cfg");
    Files.writeString(file, cfg);
    Haproxy.Check check = Haproxy.check(file);
    assertEquals(0, check.exit(), cfgName + " is valid for HAProxy:\n" + check.output());
    assertTrue(!check.output().contains("WARNING"), cfgName + " draws no warning:\n" + check.output());

    Properties props = new Properties();
    props.load(new StringReader(resource(propsName)));
    PoolConfig documented = PoolConfig.fromProperties(props);
    assertEquals(HaproxyConfig.read(file).clientIdleTimeout(section).value(), documented.eviction().lbIdleTimeout(),
        propsName + " evicts before " + section + "'s idle timeout");
    assertEquals(idle, documented.eviction().lbIdleTimeout());
    Files.delete(file);

    try (TestHttpServer app1 = TestHttpServer.plain("app1", Loopback.APP1);
        TestHttpServer app2 = TestHttpServer.plain("app2", Loopback.APP2)) {
      int port = Loopback.freePort(Loopback.LB);
      String local = cfg.replace(lbAddress, Loopback.LB + ":" + port)
          .replace("10.0.0.21" + serverPort, app1.address()).replace("10.0.0.22" + serverPort, app2.address());
      Properties localProps = new Properties();
      localProps.load(new StringReader(resource(propsName).replace(lbAddress, Loopback.LB + ":" + port)));
      EventLoopGroup group = new NioEventLoopGroup(1);
      try (Haproxy lb = Haproxy.start(local);
          TetherHttpClient client = TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
              .config(PoolConfig.fromProperties(localProps)).build()) {
        // Concurrent requests open several connections; leastconn spreads them over both servers. Which
        // connections one burst rides depends on which connects finish first (a request takes a
        // connection released meanwhile), so bursts repeat, a bounded number of times, until both
        // servers have answered; every request of every burst must succeed.
        Set<String> answered = new HashSet<>();
        for (int burst = 0; burst < 10 && answered.size() < 2; burst++) {
          List<CompletableFuture<FullHttpResponse>> inFlight = new ArrayList<>();
          for (int i = 0; i < 6; i++) {
            inFlight.add(client.send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/")));
          }
          for (CompletableFuture<FullHttpResponse> f : inFlight) {
            FullHttpResponse res = f.get(5, TimeUnit.SECONDS);
            answered.add(res.content().toString(StandardCharsets.UTF_8));
            res.release();
          }
        }
        assertEquals(Set.of("ok from app1", "ok from app2"), answered);
      } finally {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      }
    }
  }
}
