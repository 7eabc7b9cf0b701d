package io.tether.netty3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.netty.testing.Await;
import io.tether.netty.testing.Loopback;
import io.tether.netty3.testing.Netty3HttpCaller;
import io.tether.netty3.testing.Netty3HttpServer;
import io.tether.pool.PoolConfig;
import io.tether.pool.ResponseTimeoutException;
import io.tether.pool.StaleConnectionException;
import io.tether.pool.testing.RecordingListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.netty.bootstrap.ClientBootstrap;
import org.jboss.netty.channel.Channel;
import org.jboss.netty.channel.ChannelHandlerContext;
import org.jboss.netty.channel.ChannelPipeline;
import org.jboss.netty.channel.ExceptionEvent;
import org.jboss.netty.channel.SimpleChannelUpstreamHandler;
import org.jboss.netty.channel.socket.nio.NioClientSocketChannelFactory;
import org.jboss.netty.util.HashedWheelTimer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Netty 3 client pool against a Netty 3 HTTP server on loopback. */
@Tag("netty3")
@Timeout(30)
class Netty3ChannelPoolTest {
  private NioClientSocketChannelFactory factory;
  private HashedWheelTimer timer;
  private Netty3HttpServer server;
  private Netty3ChannelPool pool;
  private final RecordingListener events = new RecordingListener();
  private final List<Throwable> appExceptions = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    factory = new NioClientSocketChannelFactory(Executors.newCachedThreadPool(), Executors.newCachedThreadPool(), 1, 1);
    timer = new HashedWheelTimer(10, TimeUnit.MILLISECONDS);
    server = new Netty3HttpServer("app1", Loopback.APP1, false, null);
  }

  @AfterEach
  void tearDown() {
    if (pool != null) {
      pool.closeAsync();
    }
    server.close();
    timer.stop();
    factory.releaseExternalResources();
  }

  private Netty3ChannelPool pool(PoolConfig.Builder config) {
    ClientBootstrap b = new ClientBootstrap(factory);
    b.setPipelineFactory(() -> {
      ChannelPipeline p = Netty3HttpCaller.pipeline().getPipeline();
      p.addLast("app-exceptions", new SimpleChannelUpstreamHandler() {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, ExceptionEvent e) {
          appExceptions.add(e.getCause());
        }
      });
      return p;
    });
    pool = Netty3ChannelPool.builder(b, timer)
        .config(config.server("app1", server.host(), server.port()).build())
        .listener(events)
        .build();
    return pool;
  }

  private static Throwable failure(java.util.concurrent.CompletableFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    return e.getCause();
  }

  @Test
  void dnsDiscoveryIsRefusedWithWhatToDoInstead() {
    ClientBootstrap b = new ClientBootstrap(factory);
    PoolConfig config = PoolConfig.builder()
        .discovery(io.tether.pool.Discovery.builder().dns("api.internal", 8080).build()).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Netty3ChannelPool.builder(b, timer).config(config).build());
    assertEquals("tether.pool.discovery.dns api.internal: DNS discovery needs the Netty 4 adapter (TetherChannelPool "
        + "or TetherHttpClient); on Netty 3 give tether.pool.server.<name> entries and change them at runtime with "
        + "leases().updateServers(...)", e.getMessage());
  }

  @Test
  void requestsReuseOneChannel() throws Exception {
    pool(PoolConfig.builder());
    for (int i = 0; i < 3; i++) {
      assertEquals("ok from app1", Netty3HttpCaller.get(pool, server.address(), "/").get(5, TimeUnit.SECONDS));
    }
    assertEquals(List.of("connected app1"), events.matching("connected"));
    Channel ch = pool.tryAcquireNow();
    assertTrue(ch.isConnected(), "an idle channel is handed out on the calling thread");
    pool.release(ch);
  }

  @Test
  void idleChannelResetByThePeerLeavesThePoolQuietly() throws Exception {
    pool(PoolConfig.builder());
    Netty3HttpCaller.get(pool, server.address(), "/").get(5, TimeUnit.SECONDS);
    server.resetAll();
    Await.until(Duration.ofSeconds(5), () -> !events.matching("closed").isEmpty(), () -> pool.stats().toString());
    assertEquals(List.of("closed app1 peer-reset"), events.matching("closed"));
    assertEquals(List.of(), appExceptions, "no reset reached the application's handlers");
    assertEquals(0, pool.stats().total());
  }

  @Test
  void resetOfALeasedChannelAwaitingItsResponseIsAStaleConnection() {
    pool(PoolConfig.builder().idleInput(io.tether.pool.IdleInput.CLOSE));
    server.resetNext.set(1);
    StaleConnectionException e = assertInstanceOf(StaleConnectionException.class,
        failure(Netty3HttpCaller.get(pool, server.address(), "/")));
    assertTrue(e.peerReset());
    assertTrue(e.requestFullyWritten());
  }

  @Test
  void resetOfALeasedChannelReachesAnyOtherProtocolAsItIs() {
    pool(PoolConfig.builder());
    server.resetNext.set(1);
    Throwable e = failure(Netty3HttpCaller.get(pool, server.address(), "/"));
    assertInstanceOf(java.io.IOException.class, e);
    assertTrue(!(e instanceof StaleConnectionException), e.toString());
  }

  @Test
  void responseTimeoutClosesTheChannelAsBroken() throws Exception {
    pool(PoolConfig.builder().responseTimeout(Duration.ofMillis(200)));
    Channel ch = pool.acquire().get(5, TimeUnit.SECONDS);
    // A request the server never answers: write half a request line.
    ch.write(org.jboss.netty.buffer.ChannelBuffers.copiedBuffer("GET / HT", java.nio.charset.StandardCharsets.US_ASCII));
    Await.until(Duration.ofSeconds(5), () -> !events.matching("closed").isEmpty(), () -> events.events.toString());
    assertEquals(List.of("closed app1 broken"), events.matching("closed"));
    assertTrue(appExceptions.stream().anyMatch(t -> t instanceof ResponseTimeoutException), appExceptions.toString());
  }

  @Test
  void releasingAChannelFromElsewhereFails() throws Exception {
    pool(PoolConfig.builder());
    ClientBootstrap b = new ClientBootstrap(factory);
    b.setPipelineFactory(Netty3HttpCaller.pipeline());
    Netty3ChannelPool other = Netty3ChannelPool.builder(b, timer)
        .config(PoolConfig.builder().server("app1", server.host(), server.port()).build()).build();
    try {
      Channel foreign = other.acquire().get(5, TimeUnit.SECONDS);
      assertThrows(IllegalArgumentException.class, () -> pool.release(foreign));
      other.release(foreign);
      assertSame(foreign, other.tryAcquireNow());
      other.release(foreign);
    } finally {
      other.close();
    }
  }
}
