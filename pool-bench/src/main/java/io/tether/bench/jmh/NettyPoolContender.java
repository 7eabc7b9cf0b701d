package io.tether.bench.jmh;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelPool;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.channel.pool.SimpleChannelPool;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty's {@link SimpleChannelPool} or {@link FixedChannelPool}, one per event loop, each holding
 * channels of its own loop: the shape Netty's docs recommend, and the one in which a caller on the loop
 * never hops. A caller off the loop waits for the hop both ways, as every Netty application does.
 */
final class NettyPoolContender implements Contender {
  private final ChannelPool[] pools;

  NettyPoolContender(Lanes lanes, int count, int idle, boolean fixed) {
    pools = new ChannelPool[count];
    for (int lane = 0; lane < count; lane++) {
      Bootstrap b =
          new Bootstrap().group(lanes.loop(lane)).channel(lanes.channelType).remoteAddress(lanes.address());
      AbstractChannelPoolHandler handler = new AbstractChannelPoolHandler() {
        @Override
        public void channelCreated(Channel ch) {}
      };
      pools[lane] = fixed ? new FixedChannelPool(b, handler, idle) : new SimpleChannelPool(b, handler);
      List<Channel> channels = new ArrayList<>();
      for (int i = 0; i < idle; i++) {
        channels.add(pools[lane].acquire().syncUninterruptibly().getNow());
      }
      for (Channel ch : channels) {
        pools[lane].release(ch).syncUninterruptibly();
      }
    }
  }

  @Override
  public void cycle(int lane) {
    ChannelPool pool = pools[lane % pools.length];
    // On the loop both futures are already complete; off it, each waits for the loop to run the task.
    Future<Channel> acquired = pool.acquire().syncUninterruptibly();
    pool.release(acquired.getNow()).syncUninterruptibly();
  }

  @Override
  public void close() {
    for (ChannelPool pool : pools) {
      pool.close();
    }
  }
}
