package io.tether.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelPoolHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.ChannelPoolHttpCaller;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.PoolConfig;
import io.tether.pool.ResponseTimeoutException;
import io.tether.pool.StaleConnectionException;
import io.tether.pool.testing.RecordingListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Netty 4 ChannelPool adapter against a real HTTP server on loopback. */
@Timeout(30)
class TetherChannelPoolTest {
  private EventLoopGroup group;
  private TestHttpServer server;
  private TetherChannelPool pool;
  private final RecordingListener events = new RecordingListener();
  private final List<Throwable> clientAppExceptions = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    group = new NioEventLoopGroup(1);
    server = TestHttpServer.plain("app1", Loopback.APP1);
  }

  @AfterEach
  void tearDown() {
    if (pool != null) {
      pool.closeAsync();
    }
    server.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private Bootstrap bootstrap() {
    return new Bootstrap().group(group).channel(NioSocketChannel.class).remoteAddress(server.host(), server.port());
  }

  /** The HTTP caller's handler plus a last handler recording what reaches the application. */
  private ChannelPoolHandler handler(AtomicInteger created, AtomicInteger acquired, AtomicInteger released) {
    ChannelPoolHandler http = ChannelPoolHttpCaller.handler();
    return new AbstractChannelPoolHandler() {
      @Override
      public void channelCreated(Channel ch) throws Exception {
        created.incrementAndGet();
        http.channelCreated(ch);
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
          @Override
          public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            clientAppExceptions.add(cause);
          }
        });
      }

      @Override
      public void channelAcquired(Channel ch) {
        acquired.incrementAndGet();
      }

      @Override
      public void channelReleased(Channel ch) {
        released.incrementAndGet();
      }
    };
  }

  private TetherChannelPool pool(PoolConfig config) {
    AtomicInteger n = new AtomicInteger();
    pool = TetherChannelPool.builder(bootstrap()).handler(handler(n, new AtomicInteger(), new AtomicInteger()))
        .config(config).listener(events).build();
    return pool;
  }

  /** A pool whose handler has no channelAcquired/channelReleased: nothing needs the event loop. */
  private TetherChannelPool quietPool(PoolConfig config) {
    ChannelPoolHandler full = handler(new AtomicInteger(), new AtomicInteger(), new AtomicInteger());
    pool = TetherChannelPool.builder(bootstrap()).handler(new AbstractChannelPoolHandler() {
      @Override
      public void channelCreated(Channel ch) throws Exception {
        full.channelCreated(ch);
      }
    }).config(config).listener(events).build();
    return pool;
  }

  private static Throwable cause(CompletableFuture<?> f) {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void acquireReleaseReusesTheChannelAndCallsTheHandler() throws Exception {
    AtomicInteger created = new AtomicInteger();
    AtomicInteger acquired = new AtomicInteger();
    AtomicInteger released = new AtomicInteger();
    pool = new TetherChannelPool(bootstrap(), handler(created, acquired, released), 8);
    Channel a = pool.acquire().get(5, TimeUnit.SECONDS);
    pool.release(a).get(5, TimeUnit.SECONDS);
    Channel b = pool.acquire().get(5, TimeUnit.SECONDS);
    assertSame(a, b);
    pool.release(b).get(5, TimeUnit.SECONDS); // channelReleased runs on the channel's event loop
    assertEquals(1, created.get());
    assertEquals(2, acquired.get());
    assertEquals(2, released.get());
    Await.until("the server accepted", Duration.ofSeconds(5), () -> server.accepted.get() == 1);
  }

  @Test
  void acquiringAnIdleChannelNeverHopsToTheEventLoop() throws Exception {
    quietPool(PoolConfig.builder().build());
    Channel ch = pool.acquire().get(5, TimeUnit.SECONDS);
    pool.release(ch).get(5, TimeUnit.SECONDS);
    // Block the only event loop. An acquire that hopped onto it could not complete until released.
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch unblock = new CountDownLatch(1);
    group.execute(() -> {
      blocked.countDown();
      try {
        unblock.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertTrue(blocked.await(5, TimeUnit.SECONDS));
    try {
      Future<Channel> f = pool.acquire();
      assertTrue(f.isDone(), "an idle channel is handed out on the calling thread");
      assertSame(ch, f.getNow());
      pool.release(ch);
      assertSame(ch, pool.tryAcquireNow());
      pool.release(ch);
    } finally {
      unblock.countDown();
    }
  }

  /**
   * The holder closes its channel and releases it twice before the pool has seen the close (all in one
   * event-loop task, so channelInactive has not run yet): the first release ends the lease, the second
   * is refused as Netty's pools refuse it. Both pool kinds: the quiet one releases inline.
   */
  @Test
  void aClosedChannelReleasedTwiceBeforeThePoolSawTheCloseIsRefusedTheSecondTime() throws Exception {
    for (boolean quiet : new boolean[] {true, false}) {
      PoolConfig config = PoolConfig.builder().build();
      TetherChannelPool p = quiet ? quietPool(config) : pool(config);
      try {
        Channel ch = p.acquire().get(5, TimeUnit.SECONDS);
        List<Future<Void>> releases = ch.eventLoop().submit(() -> {
          ch.close();
          return List.of(p.release(ch), p.release(ch));
        }).get(5, TimeUnit.SECONDS);
        assertTrue(releases.get(0).await(5, TimeUnit.SECONDS));
        assertTrue(releases.get(0).isSuccess(), () -> "first release: " + releases.get(0).cause());
        assertTrue(releases.get(1).await(5, TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, releases.get(1).cause(), "quiet=" + quiet);
        Await.until("the closed channel left the pool", Duration.ofSeconds(5), () -> p.stats().total() == 0);
      } finally {
        p.close();
      }
    }
  }

  @Test
  void releasingAChannelFromElsewhereFails() throws Exception {
    pool(PoolConfig.builder().build());
    TetherChannelPool other = new TetherChannelPool(bootstrap(), ChannelPoolHttpCaller.handler(), 4);
    try {
      Channel foreign = other.acquire().get(5, TimeUnit.SECONDS);
      Future<Void> r = pool.release(foreign).awaitUninterruptibly();
      assertInstanceOf(IllegalArgumentException.class, r.cause());
      assertTrue(other.release(foreign).isSuccess());
    } finally {
      other.close();
    }
  }

  @Test
  void idleChannelResetByThePeerLeavesThePoolQuietly() throws Exception {
    pool(PoolConfig.builder().build());
    Channel a = pool.acquire().get(5, TimeUnit.SECONDS);
    Channel b = pool.acquire().get(5, TimeUnit.SECONDS);
    pool.release(a);
    pool.release(b);
    Await.until("server sees both", Duration.ofSeconds(5), () -> server.open() == 2);
    server.resetAll();
    // The close event is reported just after the count drops: wait for what is asserted.
    Await.until(Duration.ofSeconds(5), () -> events.matching("closed").size() == 2, () -> "pool still holds " + pool.stats());
    assertEquals(0, pool.stats().total());
    assertEquals(List.of(), clientAppExceptions, "no reset reached the application's handlers");
    List<String> closes = events.matching("closed");
    assertEquals(2, closes.size(), closes.toString());
    assertTrue(closes.stream().allMatch(e -> e.endsWith("peer-reset") || e.endsWith("peer-closed")), closes.toString());
    assertTrue(closes.stream().anyMatch(e -> e.endsWith("peer-reset")), closes.toString());
  }

  @Test
  void idleChannelClosedByThePeerIsCountedPeerClosed() throws Exception {
    pool(PoolConfig.builder().build());
    Channel a = pool.acquire().get(5, TimeUnit.SECONDS);
    pool.release(a);
    Await.until("server sees it", Duration.ofSeconds(5), () -> server.open() == 1);
    server.closeAll();
    Await.until(Duration.ofSeconds(5), () -> events.matching("closed").size() == 1, () -> "pool still holds " + pool.stats());
    assertEquals(0, pool.stats().total());
    assertEquals(List.of("closed " + Loopback.APP1 + " peer-closed"), events.matching("closed"));
    assertEquals(List.of(), clientAppExceptions);
  }

  @Test
  void resetOfALeasedChannelAwaitingItsResponseIsAStaleConnection() throws Exception {
    // A request/response protocol says so with idle-input=close: then a reset while a response is
    // awaited means the request was lost to a stale connection.
    pool(PoolConfig.builder().idleInput(io.tether.pool.IdleInput.CLOSE).build());
    server.resetNext.set(1);
    Throwable e = cause(ChannelPoolHttpCaller.get(pool, server.address(), "/"));
    StaleConnectionException stale = assertInstanceOf(StaleConnectionException.class, e);
    assertTrue(stale.peerReset());
    assertTrue(stale.requestFullyWritten());
    assertEquals(Loopback.APP1, stale.endpointName());
    Await.until(Duration.ofSeconds(5), () -> pool.stats().total() == 0, () -> pool.stats().toString());
  }

  @Test
  void connectTimeoutIsTheChannelsConnectTimeoutAndZeroLeavesTheBootstraps() throws Exception {
    quietPool(PoolConfig.builder().connectTimeout(Duration.ofMillis(1234)).build());
    Channel ch = pool.acquire().get(5, TimeUnit.SECONDS);
    assertEquals(1234, ch.config().getOption(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS));
    pool.close();
    pool = TetherChannelPool.builder(bootstrap().option(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS, 4321))
        .config(PoolConfig.builder().connectTimeout(Duration.ZERO).build()).build();
    Channel other = pool.acquire().get(5, TimeUnit.SECONDS);
    assertEquals(4321, other.config().getOption(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS));
  }

  @Test
  void resetOfALeasedChannelReachesAnyOtherProtocolAsItIs() throws Exception {
    pool(PoolConfig.builder().build());
    server.resetNext.set(1);
    Throwable e = cause(ChannelPoolHttpCaller.get(pool, server.address(), "/"));
    assertInstanceOf(java.io.IOException.class, e);
    assertFalse(e instanceof StaleConnectionException, e.toString());
    Await.until(Duration.ofSeconds(5), () -> pool.stats().total() == 0, () -> pool.stats().toString());
  }

  @Test
  void responseTimeoutClosesTheChannelAsBroken() throws Exception {
    pool(PoolConfig.builder().responseTimeout(Duration.ofMillis(200)).build());
    server.ignoreNext.set(1);
    Throwable e = cause(ChannelPoolHttpCaller.get(pool, server.address(), "/"));
    ResponseTimeoutException t = assertInstanceOf(ResponseTimeoutException.class, e);
    assertEquals(Duration.ofMillis(200), t.timeout());
    Await.until(Duration.ofSeconds(5), () -> events.matching("closed").size() == 1, () -> events.events.toString());
    assertEquals(List.of("closed " + Loopback.APP1 + " broken"), events.matching("closed"));
    // The next request gets a new, working connection.
    assertEquals(200, ChannelPoolHttpCaller.get(pool, server.address(), "/").get(5, TimeUnit.SECONDS));
  }

  @Test
  void aChannelTheUserClosedIsNotReused() throws Exception {
    pool(PoolConfig.builder().build());
    Channel a = pool.acquire().get(5, TimeUnit.SECONDS);
    a.close().sync();
    pool.release(a);
    Channel b = pool.acquire().get(5, TimeUnit.SECONDS);
    assertNotSame(a, b);
    assertEquals(List.of("closed " + Loopback.APP1 + " broken"), events.matching("closed"));
  }

  @Test
  void closeOnTheEventLoopDoesNotBlock() throws Exception {
    pool(PoolConfig.builder().closeTimeout(Duration.ofSeconds(5)).build());
    Channel leased = pool.acquire().get(5, TimeUnit.SECONDS);
    CompletableFuture<Long> took = new CompletableFuture<>();
    group.execute(() -> {
      long t0 = System.nanoTime();
      pool.close();
      took.complete(System.nanoTime() - t0);
    });
    long nanos = took.get(5, TimeUnit.SECONDS);
    assertTrue(nanos < TimeUnit.SECONDS.toNanos(4), "close on the event loop returned without waiting");
    assertTrue(leased.isActive(), "the leased channel is left to its user until the close timeout");
    pool.release(leased);
    Await.until("closed on release", Duration.ofSeconds(5), () -> !leased.isActive());
  }

  @Test
  void acquireAfterCloseFails() {
    pool(PoolConfig.builder().build());
    pool.close();
    Future<Channel> f = pool.acquire();
    assertFalse(f.isSuccess());
    assertInstanceOf(io.tether.pool.PoolClosedException.class, f.cause());
  }

  @Test
  void waitingAcquireCompletesWhenAChannelIsReleased() throws Exception {
    pool(PoolConfig.builder().maxConnections(1).build());
    Channel a = pool.acquire().get(5, TimeUnit.SECONDS);
    Future<Channel> waiting = pool.acquire();
    assertFalse(waiting.isDone());
    pool.release(a);
    assertSame(a, waiting.get(5, TimeUnit.SECONDS));
    Future<Channel> cancelled = pool.acquire();
    assertTrue(cancelled.cancel(false));
    // The promise's listeners run on the pool's event loop, so the withdrawal lands there.
    Await.until(Duration.ofSeconds(5), () -> pool.stats().pending() == 0, () -> pool.stats().toString());
    pool.release(a).get(5, TimeUnit.SECONDS);
    assertEquals(1, pool.stats().idle());
  }
}
