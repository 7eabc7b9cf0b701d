package io.tether.bench.demo;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.Iptables;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.Endpoint;
import io.tether.pool.PoolConfig;
import io.tether.pool.HealthCheck;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Scenario 3: a long connection pinned to a backend that dies silently (iptables DROP: no FIN, no
 * RST). Through HAProxy {@code mode tcp} with default settings the connection just hangs. Tether, with
 * the same {@code inter 200 fall 1 rise 1} checks run from the client, marks the server down, shuts its
 * sessions down and moves the session to the other server.
 */
public final class Failover {
  static final Duration GIVE_UP = Duration.ofSeconds(5);

  /** Milliseconds until the session was served again, or -1 if it hung past {@link #GIVE_UP}. */
  record Outcome(long millis, boolean skipped, String why) {}

  private Failover() {}

  /** Null if iptables can be used, else why not. */
  static String unavailable() {
    try {
      Iptables.removeLeftovers();
      return null;
    } catch (AssertionError | RuntimeException e) {
      return e.getMessage();
    }
  }

  static Outcome run(boolean tether, Progress progress) throws Exception {
    String label = "[3/4] failover, " + (tether ? "Tether with client-side health checks" : "Netty client through HAProxy");
    String why = unavailable();
    if (why != null) {
      progress.done(label + ": skipped (" + why + ")");
      return new Outcome(-1, true, why);
    }
    try (TestHttpServer app1 = TestHttpServer.plain("app1", Loopback.APP1);
        TestHttpServer app2 = TestHttpServer.plain("app2", Loopback.APP2)) {
      progress.update(label + ": pinning a session to app1");
      long ms = tether ? tether(app1, app2, label, progress) : haproxy(app1, app2, label, progress);
      progress.done(label + ": " + (ms < 0 ? "hung, no answer in " + GIVE_UP.toSeconds() + " s"
          : "session served by app2 " + ms + " ms after app1 went silent"));
      return new Outcome(ms, false, null);
    }
  }

  private static long haproxy(TestHttpServer app1, TestHttpServer app2, String label, Progress progress)
      throws Exception {
    int port = Loopback.freePort(Loopback.LB);
    String check = " check inter 200 fall 1 rise 1\n";
    String cfg = "defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 60s\n  timeout server 60s\n\n"
        + "listen tunnel\n  bind " + Loopback.LB + ":" + port + "\n  balance roundrobin\n"
        + "  server app1 " + app1.address() + check + "  server app2 " + app2.address() + check;
    EventLoopGroup group = new NioEventLoopGroup(1);
    try (Haproxy lb = Haproxy.start(cfg)) {
      LongConnection conn = null;
      for (int i = 0; i < 4 && conn == null; i++) { // round robin: one of the first two lands on app1
        LongConnection c = new LongConnection(group, Loopback.LB, port);
        if (c.get().get(5, TimeUnit.SECONDS).equals("ok from app1")) {
          conn = c;
        } else {
          c.close();
        }
      }
      if (conn == null) {
        throw new IllegalStateException("no connection landed on app1");
      }
      progress.update(label + ": app1 black-holed, waiting for an answer");
      try (Iptables.Rule rule = Iptables.drop(Loopback.APP1, app1.port())) {
        long dropped = System.nanoTime();
        try {
          conn.get().get(GIVE_UP.toMillis(), TimeUnit.MILLISECONDS);
          return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - dropped);
        } catch (TimeoutException hung) {
          return -1;
        } catch (java.util.concurrent.ExecutionException failed) {
          return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - dropped); // closed: at least it failed
        } finally {
          conn.close();
        }
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static long tether(TestHttpServer app1, TestHttpServer app2, String label, Progress progress)
      throws Exception {
    EventLoopGroup group = new NioEventLoopGroup(1);
    try (TetherHttpClient client = TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
        .config(checkedPair("demo", app1, app2)).requestTimeout(GIVE_UP.plusSeconds(5)).build()) {
      String key = keyPinnedToApp1(client);
      progress.update(label + ": app1 black-holed, waiting for an answer");
      try (Iptables.Rule rule = Iptables.drop(Loopback.APP1, app1.port())) {
        long dropped = System.nanoTime();
        long deadline = dropped + GIVE_UP.toNanos();
        while (System.nanoTime() < deadline) {
          try {
            if (get(client, key).equals("ok from app2")) {
              return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - dropped);
            }
          } catch (Exception retryLater) {
            TimeUnit.MILLISECONDS.sleep(20);
          }
        }
        return -1;
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /**
   * app1 and app2 checked as HAProxy's {@code inter 200 fall 1 rise 1} with {@code timeout connect} and
   * {@code timeout check} of 40ms (without the first a check's connect to a black-holed server may take
   * all of inter), the failover settings of the demo and of the failover timeline benchmark.
   */
  public static PoolConfig checkedPair(String pool, TestHttpServer app1, TestHttpServer app2) {
    return PoolConfig.builder().name(pool)
        .server(Endpoint.of("app1", Loopback.APP1, app1.port()))
        .server(Endpoint.of("app2", Loopback.APP2, app2.port()))
        .healthCheck(HealthCheck.builder().enabled(true).inter(Duration.ofMillis(200)).fall(1).rise(1)
            .connectTimeout(Duration.ofMillis(40)).timeout(Duration.ofMillis(40)).build()).build();
  }

  /** A session key the client's pool pinned to app1 (keys are spread over both servers). */
  public static String keyPinnedToApp1(TetherHttpClient client) throws Exception {
    for (int k = 0; k < 100; k++) {
      if (get(client, "session-" + k).equals("ok from app1")) {
        return "session-" + k;
      }
    }
    throw new IllegalStateException("no session of 100 was pinned to app1: " + client.stats());
  }

  /** GET / for the session {@code key}; the response body. */
  public static String get(TetherHttpClient client, Object key) throws Exception {
    FullHttpResponse r = client.send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"), key)
        .get(GIVE_UP.toMillis(), TimeUnit.MILLISECONDS);
    try {
      return r.content().toString(StandardCharsets.UTF_8);
    } finally {
      r.release();
    }
  }

  /** One keep-alive connection written by hand, as a plain Netty client holds a long session. */
  private static final class LongConnection implements AutoCloseable {
    private final Channel channel;
    private volatile CompletableFuture<String> current;

    LongConnection(EventLoopGroup group, String host, int port) {
      channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16),
                  new SimpleChannelInboundHandler<FullHttpResponse>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
                      current.complete(res.content().toString(StandardCharsets.UTF_8));
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                      CompletableFuture<String> c = current;
                      if (c != null) {
                        c.completeExceptionally(new java.io.IOException("connection closed"));
                      }
                    }
                  });
            }
          }).connect(host, port).syncUninterruptibly().channel();
    }

    CompletableFuture<String> get() {
      CompletableFuture<String> f = new CompletableFuture<>();
      current = f;
      DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
      req.headers().set("host", "demo");
      channel.writeAndFlush(req);
      return f;
    }

    @Override
    public void close() {
      channel.close().syncUninterruptibly();
    }
  }
}
