package io.tether.netty3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.PoolConfig;
import io.tether.pool.ServerState;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.netty.bootstrap.ClientBootstrap;
import org.jboss.netty.channel.Channels;
import org.jboss.netty.channel.socket.nio.NioClientSocketChannelFactory;
import org.jboss.netty.logging.InternalLoggerFactory;
import org.jboss.netty.logging.JdkLoggerFactory;
import org.jboss.netty.util.HashedWheelTimer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Netty 3 logs through its own {@code org.jboss.netty.logging.InternalLoggerFactory}, which is JUL
 * unless the application sets another (docs/netty3.md says how); a Netty 3 pool logs there under
 * {@code io.tether.pool.<pool name>}.
 */
@Tag("netty3")
class Netty3LoggingTest {

  @Test
  void aNetty3PoolLogsThroughNetty3sFactoryUnderItsOwnName() {
    assertTrue(InternalLoggerFactory.getDefaultFactory() instanceof JdkLoggerFactory,
        "Netty 3's default is JUL: " + InternalLoggerFactory.getDefaultFactory());
    Logger jul = Logger.getLogger("io.tether.pool.legacy");
    List<String> seen = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        seen.add(r.getLoggerName() + " " + r.getLevel());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    jul.addHandler(capture);
    jul.setLevel(Level.ALL);
    NioClientSocketChannelFactory factory = new NioClientSocketChannelFactory(Executors.newCachedThreadPool(),
        Executors.newCachedThreadPool(), 1, 1);
    HashedWheelTimer timer = new HashedWheelTimer();
    try {
      ClientBootstrap b = new ClientBootstrap(factory);
      b.setPipelineFactory(Channels::pipeline);
      Netty3ChannelPool pool = Netty3ChannelPool.builder(b, timer)
          .config(PoolConfig.builder().name("legacy").server("app1", "127.0.0.29", 9).build()).build();
      pool.setServerState("app1", ServerState.MAINT);
      pool.setServerState("app1", ServerState.UP);
      assertEquals(List.of("io.tether.pool.legacy WARNING", "io.tether.pool.legacy INFO"), seen);
      pool.close();
    } finally {
      jul.removeHandler(capture);
      jul.setLevel(null);
      timer.stop();
      factory.releaseExternalResources();
    }
  }
}
