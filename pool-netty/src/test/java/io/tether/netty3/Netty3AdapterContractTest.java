package io.tether.netty3;

import io.tether.netty.contract.AdapterContract;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolStats;
import io.tether.pool.ServerState;
import io.tether.pool.metrics.PoolMetricsRecorder;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.netty.bootstrap.ClientBootstrap;
import org.jboss.netty.channel.Channel;
import org.jboss.netty.channel.Channels;
import org.jboss.netty.channel.socket.nio.NioClientSocketChannelFactory;
import org.jboss.netty.util.HashedWheelTimer;
import org.junit.jupiter.api.Tag;

/** The adapter contract on Netty 3's {@link Netty3ChannelPool}. */
@Tag("netty3")
class Netty3AdapterContractTest extends AdapterContract {
  @Override
  protected Fixture start(PoolConfig config, PoolMetricsRecorder metrics) {
    NioClientSocketChannelFactory factory =
        new NioClientSocketChannelFactory(Executors.newCachedThreadPool(), Executors.newCachedThreadPool(), 1, 1);
    HashedWheelTimer timer = new HashedWheelTimer(10, TimeUnit.MILLISECONDS);
    ClientBootstrap bootstrap = new ClientBootstrap(factory);
    bootstrap.setPipelineFactory(Channels::pipeline);
    Netty3ChannelPool pool = Netty3ChannelPool.builder(bootstrap, timer).config(config).metrics(metrics).build();
    return new Fixture() {
      @Override
      public Object acquireByKey(Object key) throws Exception {
        return pool.acquireByKey(key).get(5, TimeUnit.SECONDS);
      }

      @Override
      public String remoteHost(Object channel) {
        return ((InetSocketAddress) ((Channel) channel).getRemoteAddress()).getAddress().getHostAddress();
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
        timer.stop();
        factory.releaseExternalResources();
      }
    };
  }
}
