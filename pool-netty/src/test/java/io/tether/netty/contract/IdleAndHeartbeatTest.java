package io.tether.netty.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelPool;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.tether.netty.TetherChannelPool;
import io.tether.pool.PoolConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where a swap from Netty's pool to Tether's differs on purpose (a channel idle past {@code
 * evict-after} is replaced, Netty keeps it), and where it must not: a protocol whose server speaks on
 * idle channels (heartbeats) keeps its channels pooled, the pings reaching the application's handlers.
 */
class IdleAndHeartbeatTest {
  private EventLoopGroup group;
  private Channel server;
  private final AtomicInteger accepted = new AtomicInteger();

  @BeforeEach
  void setUp() {
    group = new NioEventLoopGroup(2);
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** A server that writes one byte every {@code pingMillis} (0: never) to each connection. */
  private Bootstrap start(long pingMillis) {
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            accepted.incrementAndGet();
            if (pingMillis > 0) {
              ch.eventLoop().scheduleAtFixedRate(() -> ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'.'})),
                  pingMillis, pingMillis, TimeUnit.MILLISECONDS);
            }
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    return new Bootstrap().group(group).channel(NioSocketChannel.class).remoteAddress(server.localAddress());
  }

  /** Counts the pings that reach the application's last handler. */
  private static AbstractChannelPoolHandler counting(AtomicInteger pings) {
    return new AbstractChannelPoolHandler() {
      @Override
      public void channelCreated(Channel ch) {
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            pings.incrementAndGet();
            ReferenceCountUtil.release(msg);
          }
        });
      }
    };
  }

  @Test
  @Timeout(30)
  void anIdleChannelIsReplacedBeforeTheBalancerTimeoutWhereNettyKeepsIt() throws Exception {
    Bootstrap b = start(0);
    ChannelPool netty = new FixedChannelPool(b, counting(new AtomicInteger()), 2);
    TetherChannelPool tether = TetherChannelPool.builder(b).handler(counting(new AtomicInteger()))
        .config(PoolConfig.builder().maxConnections(2).lbIdleTimeout(Duration.ofSeconds(1)).build()).build();
    try {
      Channel n = netty.acquire().sync().getNow();
      Channel t = tether.acquire().sync().getNow();
      netty.release(n).sync();
      tether.release(t).sync();
      Thread.sleep(1_300); // past evict-after (900ms of a 1s balancer timeout); the sweep runs on the loop
      assertSame(n, netty.acquire().sync().getNow(), "Netty hands out the channel a balancer may have reaped");
      Channel t2 = tether.acquire().sync().getNow();
      assertNotSame(t, t2, "Tether closed it at 900ms and opened a new one");
      assertTrue(t.closeFuture().isDone());
    } finally {
      netty.close();
      tether.close();
    }
  }

  @Test
  @Tag("slow")
  @Timeout(120)
  void aHeartbeatProtocolKeepsItsChannelPooledForAMinute() throws Exception {
    Bootstrap b = start(200);
    AtomicInteger pings = new AtomicInteger();
    // Netty's constructor: the defaults a swap gets (evict-after 45s, counted from the last byte).
    TetherChannelPool pool = new TetherChannelPool(b, counting(pings), 4);
    try {
      Channel first = pool.acquire().sync().getNow();
      pool.release(first).sync();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      int rounds = 0;
      while (System.nanoTime() < end) {
        Thread.sleep(1_000);
        Channel ch = pool.acquire().sync().getNow();
        assertSame(first, ch, "round " + rounds + ": the channel stayed pooled");
        pool.release(ch).sync();
        rounds++;
      }
      assertEquals(1, accepted.get(), "one connection for the whole minute");
      assertTrue(first.isActive());
      assertTrue(pings.get() >= 250, "pings reached the application: " + pings.get());
      assertEquals(1, pool.stats().total());
    } finally {
      pool.close();
    }
  }
}
