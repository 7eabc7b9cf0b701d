package io.tether.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.tether.netty.testing.ChannelPoolHttpCaller;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.PoolConfig;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TetherChannelPoolMapTest {

  @Test
  void onePoolPerAddressCreatedOnFirstUse() throws Exception {
    EventLoopGroup group = new NioEventLoopGroup(1);
    try (TestHttpServer app1 = TestHttpServer.plain("app1", Loopback.APP1);
        TestHttpServer app2 = TestHttpServer.plain("app2", Loopback.APP2)) {
      TetherChannelPoolMap<InetSocketAddress> map = TetherChannelPoolMap.byAddress(
          new Bootstrap().group(group).channel(NioSocketChannel.class),
          ChannelPoolHttpCaller.handler(),
          PoolConfig.builder().name("api").maxConnections(4).build());
      InetSocketAddress a1 = new InetSocketAddress(app1.host(), app1.port());
      InetSocketAddress a2 = new InetSocketAddress(app2.host(), app2.port());
      assertFalse(map.contains(a1));
      TetherChannelPool p1 = map.get(a1);
      assertSame(p1, map.get(a1));
      TetherChannelPool p2 = map.get(a2);
      assertNotSame(p1, p2);
      assertEquals("api-" + Loopback.APP1, p1.config().name());
      assertEquals(4, p2.config().maxConnections());

      assertEquals(200, ChannelPoolHttpCaller.get(p1, app1.address(), "/").get(5, TimeUnit.SECONDS));
      Channel ch = p2.acquire().get(5, TimeUnit.SECONDS);
      assertEquals(a2, ch.remoteAddress());
      p2.release(ch);
      assertTrue(map.remove(a2));
      assertEquals(1, map.size());
      map.close();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
