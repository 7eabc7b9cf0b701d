package io.tether.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import io.tether.pool.PoolConfig;
import io.tether.pool.ServerState;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Each pool logs under {@code io.tether.pool.<pool name>}: one pool's level can be raised while another
 * stays quiet. Netty's logger factory is pointed at JUL for the test (and put back), so the records can
 * be caught with a plain JUL handler.
 */
class PerPoolLoggingTest {

  @Test
  void levelsAreSetPerPool() {
    InternalLoggerFactory before = InternalLoggerFactory.getDefaultFactory();
    InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
    EventLoopGroup group = new NioEventLoopGroup(1);
    Logger orders = Logger.getLogger("io.tether.pool.orders");
    Logger search = Logger.getLogger("io.tether.pool.search");
    List<String> seen = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (isLoggable(r)) {
          seen.add(r.getLoggerName() + " " + r.getLevel() + " " + r.getMessage());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    orders.setLevel(Level.OFF);
    search.setLevel(Level.ALL);
    orders.addHandler(capture);
    search.addHandler(capture);
    try {
      TetherChannelPool a = pool(group, "orders");
      TetherChannelPool b = pool(group, "search");
      a.setServerState("app1", ServerState.MAINT);
      b.setServerState("app1", ServerState.MAINT);
      b.setServerState("app1", ServerState.UP);
      assertEquals(List.of(
          "io.tether.pool.search WARNING pool search: server app1(127.0.0.29:9) is MAINT (was UP): set to MAINT at runtime",
          "io.tether.pool.search INFO pool search: server app1(127.0.0.29:9) is UP (was MAINT): set to UP at runtime"),
          seen, "search's records, at WARN going out of rotation and INFO coming back; none of orders'");
      a.close();
      b.close();
    } finally {
      orders.removeHandler(capture);
      search.removeHandler(capture);
      orders.setLevel(null);
      search.setLevel(null);
      InternalLoggerFactory.setDefaultFactory(before);
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static TetherChannelPool pool(EventLoopGroup group, String name) {
    return TetherChannelPool.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
        .handler(new AbstractChannelPoolHandler() {
          @Override
          public void channelCreated(Channel ch) {}
        })
        .config(PoolConfig.builder().name(name).server("app1", "127.0.0.29", 9).build()).build();
  }
}
