package io.tether.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.tether.netty.Tls;
import io.tether.pool.CloseCause;
import io.tether.pool.Endpoint;
import io.tether.pool.EndpointDownException;
import io.tether.pool.PoolClosedException;
import io.tether.pool.StaleConnectionException;
import io.tether.pool.testing.FakeSignals;
import io.tether.pool.testing.FakeTicker;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Netty 4 connector on its own, over Netty's in-VM transport: how it opens a channel, how it closes
 * one for each reason the pool has (the leased user told why first, or not), when its close future
 * completes, and which threads count as the transport's.
 */
@Timeout(10)
class ChannelConnectorTest {
  private final EventLoopGroup group = new DefaultEventLoopGroup(1);
  private final LocalAddress address = new LocalAddress("connector-" + System.nanoTime());
  private final FakeSignals signals = new FakeSignals();
  private final List<Throwable> reachedApp = new CopyOnWriteArrayList<>();
  private Channel server;

  @AfterEach
  void tearDown() {
    if (server != null && !group.isShuttingDown()) {
      server.close().syncUninterruptibly();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private ChannelConnector connector(Bootstrap b, Tls tls) {
    return new ChannelConnector(this, b, new AbstractChannelPoolHandler() {
      @Override
      public void channelCreated(Channel ch) {
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
          @Override
          public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            reachedApp.add(cause);
          }
        });
      }
    }, new FakeTicker(), Duration.ZERO, true, "p", tls, Bootstrap::connect);
  }

  private ChannelConnector connector() {
    return connector(new Bootstrap().group(group).channel(LocalChannel.class), null);
  }

  private Channel open(ChannelConnector c) throws Exception {
    return open(c, signals);
  }

  private Channel open(ChannelConnector c, FakeSignals s) throws Exception {
    if (server == null) {
      server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
          .childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              // nothing: the server only accepts; what it receives ends at the pipeline's tail
            }
          }).bind(address).sync().channel();
    }
    return c.connect(Endpoint.of(address), Duration.ofSeconds(1), s).toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  /** Holds the channel's event loop until the returned latch is counted down. */
  private static CountDownLatch block(Channel ch) throws InterruptedException {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ch.eventLoop().execute(() -> {
      running.countDown();
      try {
        release.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    running.await(5, TimeUnit.SECONDS);
    return release;
  }

  @Test
  void aConnectedChannelCarriesThePoolHandlerFirstAndTheApplicationsAfterIt() throws Exception {
    Channel ch = open(connector());
    assertEquals(PooledChannelHandler.NAME, ch.pipeline().names().get(0));
    assertNotNull(PooledChannelHandler.of(ch));
    assertTrue(PooledChannelHandler.of(ch).ownedBy(this));
    assertEquals(3, ch.pipeline().names().size(), "pool handler, application handler, tail: " + ch.pipeline().names());
  }

  @Test
  void aConnectOnAGroupShuttingDownFailsAtOnceWhereALiveGroupConnects() throws Exception {
    ChannelConnector c = connector();
    assertTrue(open(c).isActive(), "a live group connects");
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    CompletableFuture<Channel> f = c.connect(Endpoint.of(address), Duration.ofSeconds(1), new FakeSignals())
        .toCompletableFuture();
    assertTrue(f.isDone(), "failed at once, not left to a group that no longer runs listeners");
    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    assertInstanceOf(RejectedExecutionException.class, e.getCause());
  }

  @Test
  void aChannelThePoolDidNotOpenIsJustClosed() {
    EmbeddedChannel foreign = new EmbeddedChannel();
    CompletableFuture<Void> f = connector().close(foreign, CloseCause.ENDPOINT_DOWN).toCompletableFuture();
    assertFalse(foreign.isOpen());
    assertTrue(f.isDone());
  }

  /** Closes a channel for {@code cause}, leased or idle; returns what reached its application handler. */
  private List<Throwable> closedBy(CloseCause cause, boolean leased) throws Exception {
    ChannelConnector c = connector();
    Channel ch = open(c);
    signals.closedWhileLeased = leased;
    c.close(ch, cause).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertFalse(ch.isOpen());
    return reachedApp;
  }

  @Test
  void aLeasedChannelWhoseServerWentDownHearsWhyBeforeItCloses() throws Exception {
    List<Throwable> heard = closedBy(CloseCause.ENDPOINT_DOWN, true);
    assertEquals(1, heard.size(), String.valueOf(heard));
    EndpointDownException e = assertInstanceOf(EndpointDownException.class, heard.get(0));
    assertTrue(e.getMessage().contains("app1"), e.getMessage());
  }

  @Test
  void aLeasedChannelOfAClosingPoolHearsThatThePoolClosed() throws Exception {
    assertInstanceOf(PoolClosedException.class, closedBy(CloseCause.POOL_CLOSED, true).get(0));
  }

  @Test
  void anIdleChannelOfADownServerClosesWithoutAWord() throws Exception {
    assertEquals(List.of(), closedBy(CloseCause.ENDPOINT_DOWN, false));
  }

  @Test
  void otherCausesCloseWithoutAWordAndTheChannelIsUnusableBeforeTheCloseRuns() throws Exception {
    ChannelConnector c = connector();
    Channel ch = open(c);
    signals.closedWhileLeased = true;
    CountDownLatch release = block(ch);
    CompletableFuture<Void> closed;
    try {
      closed = c.close(ch, CloseCause.LIFETIME_EXPIRED).toCompletableFuture();
      assertTrue(ch.isActive(), "the close is queued behind the blocked loop");
      assertFalse(PooledChannelHandler.usable(ch), "yet no one may be handed the channel now");
      assertFalse(closed.isDone(), "the close future waits for the channel to go inactive");
    } finally {
      release.countDown();
    }
    closed.get(5, TimeUnit.SECONDS);
    assertFalse(ch.isOpen());
    assertEquals(List.of(), reachedApp, "a lifetime's end is no error of the user's");
  }

  @Test
  void aNewLeaseDoesNotInheritTheLastUsersUnansweredRequest() throws Exception {
    ChannelConnector c = connector();
    // The control: a request left unanswered, then a reset, is the request going stale.
    Channel same = open(c, new FakeSignals());
    resetAfterARequest(same, null);
    assertTrue(reachedApp.stream().anyMatch(StaleConnectionException.class::isInstance), String.valueOf(reachedApp));
    reachedApp.clear();
    // The same, with a new lease started between the request and the reset: not the new user's request.
    Channel next = open(c, new FakeSignals());
    resetAfterARequest(next, c);
    assertTrue(reachedApp.stream().noneMatch(StaleConnectionException.class::isInstance),
        "the reset is not reported as this user's request going stale: " + reachedApp);
  }

  private static void resetAfterARequest(Channel ch, ChannelConnector leaseInBetween) throws Exception {
    ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'G'})).sync();
    if (leaseInBetween != null) {
      leaseInBetween.leased(ch);
    }
    ch.eventLoop().submit(() -> ch.pipeline().fireExceptionCaught(new SocketException("Connection reset"))).sync();
  }

  @Test
  void theTransportsThreadsAreTheGroupsLoops() throws Exception {
    ChannelConnector c = connector();
    assertFalse(c.onTransportThread(), "the test's thread");
    AtomicBoolean onLoop = new AtomicBoolean();
    group.next().submit(() -> onLoop.set(c.onTransportThread())).sync();
    assertTrue(onLoop.get(), "a loop of the bootstrap's group");
    EventLoopGroup other = new DefaultEventLoopGroup(1);
    try {
      AtomicBoolean onOther = new AtomicBoolean(true);
      other.next().submit(() -> onOther.set(c.onTransportThread())).sync();
      assertFalse(onOther.get(), "a loop of another group");
    } finally {
      other.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    assertFalse(connector(new Bootstrap().channel(LocalChannel.class), null).onTransportThread(), "no group yet");
  }

  @Test
  void activityIsTrackedAndAliveMeansUsable() throws Exception {
    ChannelConnector c = connector();
    assertTrue(c.tracksActivity());
    Channel ch = open(c);
    assertTrue(c.isAlive(ch));
    ch.close().sync();
    assertFalse(c.isAlive(ch));
  }

  @Test
  void tlsChecksTheServersNameUnlessToldNotToAndBoundsTheHandshake() throws Exception {
    SslContext ctx = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
    Endpoint e = Endpoint.of("app1", "app1.example", 8443);
    EmbeddedChannel ch = new EmbeddedChannel();
    SslHandler verified = ChannelConnector.sslHandler(Tls.of(ctx).withHandshakeTimeout(Duration.ofMillis(1234)), ch, e);
    SSLEngine engine = verified.engine();
    assertEquals("HTTPS", engine.getSSLParameters().getEndpointIdentificationAlgorithm());
    assertEquals("app1.example", engine.getPeerHost(), "SNI and the name check use the endpoint's host");
    assertEquals(8443, engine.getPeerPort());
    assertEquals(1234, verified.getHandshakeTimeoutMillis());
    SslHandler unverified = ChannelConnector.sslHandler(Tls.of(ctx).withoutHostnameVerification(), ch, e);
    assertEquals("", unverified.engine().getSSLParameters().getEndpointIdentificationAlgorithm());
    ch.finishAndReleaseAll();
  }
}
