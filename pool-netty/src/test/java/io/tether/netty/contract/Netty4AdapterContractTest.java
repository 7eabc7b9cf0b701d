package io.tether.netty.contract;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.tether.netty.TetherChannelPool;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolStats;
import io.tether.pool.ServerState;
import io.tether.pool.metrics.PoolMetricsRecorder;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The adapter contract on Netty 4's {@link TetherChannelPool}. */
class Netty4AdapterContractTest extends AdapterContract {
  @Override
  protected Fixture start(PoolConfig config, PoolMetricsRecorder metrics) {
    EventLoopGroup group = new NioEventLoopGroup(2);
    TetherChannelPool pool = TetherChannelPool.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
        .config(config).metrics(metrics).build();
    return new Fixture() {
      @Override
      public Object acquireByKey(Object key) throws Exception {
        return pool.acquireByKey(key).get(5, TimeUnit.SECONDS);
      }

      @Override
      public String remoteHost(Object channel) {
        return ((InetSocketAddress) ((Channel) channel).remoteAddress()).getAddress().getHostAddress();
      }

      @Override
      public boolean isOpen(Object channel) {
        return ((Channel) channel).isOpen();
      }

      @Override
      public void release(Object channel) {
        pool.release((Channel) channel);
      }

      @Override
      public void setServerState(String server, ServerState state) {
        pool.setServerState(server, state);
      }

      @Override
      public PoolStats stats() {
        return pool.stats();
      }

      @Override
      public String toString() {
        return pool.toString();
      }

      @Override
      public void close() {
        pool.close();
        pool.leases().closeAsync().orTimeout(5, TimeUnit.SECONDS).join();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      }
    };
  }
}
