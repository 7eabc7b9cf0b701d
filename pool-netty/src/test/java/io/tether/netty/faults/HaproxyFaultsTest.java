package io.tether.netty.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.netty.http.InvalidResponseException;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.AcquireTimeoutException;
import io.tether.pool.ConnectFailedException;
import io.tether.pool.PoolConfig;
import io.tether.pool.ResponseTimeoutException;
import io.tether.pool.StaleConnectionException;
import io.tether.pool.internal.TestHooks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** HAProxy reloaded or restarted under load, with 16 callers running. */
@Tag("haproxy")
class HaproxyFaultsTest {
  private static final Set<Class<?>> TYPED = Set.of(ConnectFailedException.class, StaleConnectionException.class,
      InvalidResponseException.class, ResponseTimeoutException.class, AcquireTimeoutException.class);

  private EventLoopGroup group;
  private TestHttpServer app1;
  private TestHttpServer app2;
  private int port;

  @BeforeEach
  void setUp() throws Exception {
    group = new NioEventLoopGroup(2);
    app1 = TestHttpServer.plain("app1", Loopback.APP1);
    app2 = TestHttpServer.plain("app2", Loopback.APP2);
    port = Loopback.freePort(Loopback.LB);
  }

  @AfterEach
  void tearDown() {
    app1.close();
    app2.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private Haproxy haproxy() throws Exception {
    return Haproxy.start("defaults\n  mode http\n  timeout connect 1s\n  timeout client 30s\n  timeout server 30s\n"
        + "  timeout http-keep-alive 10s\n\nlisten faults\n  bind " + Loopback.LB + ":" + port + "\n  balance roundrobin\n"
        + "  server app1 " + app1.address() + "\n  server app2 " + app2.address() + "\n");
  }

  private TetherHttpClient client() {
    return TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
        .config(PoolConfig.builder().name("faults").server("haproxy", Loopback.LB, port).maxConnections(32)
            .lbIdleTimeout(Duration.ofSeconds(10)).acquireTimeout(Duration.ofSeconds(2)).build())
        .requestTimeout(Duration.ofSeconds(1))
        .build();
  }

  private static FullHttpRequest request(boolean idempotent) {
    if (idempotent) {
      return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    }
    FullHttpRequest post = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/orders",
        Unpooled.copiedBuffer("{\"n\":1}", StandardCharsets.UTF_8));
    HttpUtil.setContentLength(post, post.content().readableBytes());
    return post;
  }

  /** Runs callers until stopped; records failures by type and the slowest request. */
  private static final class Load {
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger ok = new AtomicInteger();
    final AtomicLong slowestNanos = new AtomicLong();
    final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    final List<Throwable> untyped = Collections.synchronizedList(new ArrayList<>());
    final List<Thread> threads = new ArrayList<>();
    volatile long okAfter;
    final AtomicInteger failedAfter = new AtomicInteger();

    void start(TetherHttpClient client, int callers, boolean idempotent) {
      for (int i = 0; i < callers; i++) {
        Thread t = new Thread(() -> {
          while (!stop.get()) {
            long t0 = System.nanoTime();
            try {
              FullHttpResponse r = client.send(request(idempotent)).get(30, TimeUnit.SECONDS);
              r.release();
              ok.incrementAndGet();
            } catch (ExecutionException e) {
              failures.computeIfAbsent(e.getCause().getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
              if (!TYPED.contains(e.getCause().getClass())) {
                untyped.add(e.getCause());
              }
              if (okAfter != 0 && t0 > okAfter) {
                failedAfter.incrementAndGet();
              }
            } catch (Exception e) {
              untyped.add(e);
            }
            slowestNanos.accumulateAndGet(System.nanoTime() - t0, Math::max);
            try {
              Thread.sleep(2);
            } catch (InterruptedException e) {
              return;
            }
          }
        }, "caller");
        threads.add(t);
        t.start();
      }
    }

    void finish() throws InterruptedException {
      stop.set(true);
      for (Thread t : threads) {
        t.join(30_000);
      }
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void softReloadsUnderLoadFailNothingAndTheOldProcessIsDrained() throws Exception {
    try (Haproxy haproxy = haproxy(); TetherHttpClient client = client()) {
      Load load = new Load();
      load.start(client, 16, true);
      Await.until("load running", Duration.ofSeconds(10), () -> load.ok.get() > 500);
      haproxy.reload();
      Await.until("load continues", Duration.ofSeconds(10), () -> load.ok.get() > 2000);
      haproxy.reload();
      int before = load.ok.get();
      Await.until("load continues", Duration.ofSeconds(10), () -> load.ok.get() > before + 1500);
      load.finish();
      System.out.printf("%nHAProxy soft reload x2 under 16 callers: %d ok, failures %s, slowest %dms%n",
          load.ok.get(), load.failures, TimeUnit.NANOSECONDS.toMillis(load.slowestNanos.get()));
      assertEquals(Map.of(), Map.copyOf(load.failures), "no request failed across the reloads");
      Await.until("old processes drained their sessions and exited", Duration.ofSeconds(15), haproxy::oldProcessesExited);
      // Every pooled connection now goes to the new process.
      Await.until(Duration.ofSeconds(5), () -> scur(haproxy) == client.stats().total(),
          () -> "new process scur " + scur(haproxy) + ", pool " + client.stats());
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aRestartUnderLoadFailsOnlyWithTypedErrorsAndNothingHangs() throws Exception {
    try (Haproxy haproxy = haproxy(); TetherHttpClient client = client()) {
      Load gets = new Load();
      Load posts = new Load();
      gets.start(client, 8, true);
      posts.start(client, 8, false);
      Await.until("load running", Duration.ofSeconds(10), () -> gets.ok.get() > 300 && posts.ok.get() > 300);
      haproxy.stop();
      Thread.sleep(700); // HAProxy is down: connects are refused
      haproxy.start();
      long restarted = System.nanoTime();
      gets.okAfter = restarted + TimeUnit.MILLISECONDS.toNanos(100);
      posts.okAfter = gets.okAfter;
      int g = gets.ok.get();
      int p = posts.ok.get();
      Await.until("load continues after the restart", Duration.ofSeconds(10),
          () -> gets.ok.get() > g + 500 && posts.ok.get() > p + 500);
      gets.finish();
      posts.finish();
      System.out.printf("%nHAProxy stop/start under load: GET %d ok, failures %s; POST %d ok, failures %s; "
          + "slowest %dms%n", gets.ok.get(), gets.failures, posts.ok.get(), posts.failures,
          TimeUnit.NANOSECONDS.toMillis(Math.max(gets.slowestNanos.get(), posts.slowestNanos.get())));
      assertEquals(List.of(), gets.untyped, "every GET failure is typed");
      assertEquals(List.of(), posts.untyped, "every POST failure is typed");
      assertEquals(0, gets.failedAfter.get(), "GETs sent after the restart succeed");
      assertEquals(0, posts.failedAfter.get(), "POSTs sent after the restart succeed");
      // acquire-timeout 2s, response timeout 1s, one retry for GETs: nothing may wait much longer.
      long bound = TimeUnit.SECONDS.toNanos(2 * (2 + 1) + 1);
      assertTrue(gets.slowestNanos.get() < bound && posts.slowestNanos.get() < bound, "no request hung");
      assertEquals(0, client.stats().leased());
      @SuppressWarnings("unchecked")
      io.tether.pool.ConnectionPool<?> engine = client.pool().leases();
      assertEquals(List.of(), TestHooks.checkInvariants(engine));
    }
  }

  private static int scur(Haproxy h) {
    try {
      return Integer.parseInt(h.stat("faults", "FRONTEND").get("scur"));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
