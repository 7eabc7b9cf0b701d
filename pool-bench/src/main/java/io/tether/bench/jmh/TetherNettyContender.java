package io.tether.bench.jmh;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.util.concurrent.Future;
import io.tether.netty.TetherChannelPool;
import io.tether.pool.PoolConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link TetherChannelPool} over real loopback sockets, one pool shared by every lane (Tether never
 * hops to a channel's loop to hand it out). {@code future} uses the {@code ChannelPool} API a Netty
 * application already calls; otherwise {@code tryAcquireNow}.
 */
final class TetherNettyContender implements Contender {
  private final TetherChannelPool pool;
  private final boolean future;

  TetherNettyContender(Lanes lanes, int connections, boolean future) {
    this.future = future;
    Bootstrap b = new Bootstrap().group(lanes.group).channel(lanes.channelType).remoteAddress(lanes.address());
    PoolConfig config = PoolConfig.builder().maxConnections(connections).lbIdleTimeout(Duration.ofHours(1)).build();
    pool = TetherChannelPool.builder(b).handler(new AbstractChannelPoolHandler() {
      @Override
      public void channelCreated(Channel ch) {}
    }).config(config).build();
    List<Channel> channels = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      channels.add(pool.acquire().syncUninterruptibly().getNow());
    }
    channels.forEach(pool::release);
  }

  @Override
  public void cycle(int lane) {
    Channel ch;
    if (future) {
      Future<Channel> f = pool.acquire();
      ch = f.getNow();
      if (ch == null) {
        throw new IllegalStateException("no idle channel: " + pool.stats());
      }
    } else {
      ch = pool.tryAcquireNow();
      if (ch == null) {
        throw new IllegalStateException("no idle channel: " + pool.stats());
      }
    }
    pool.release(ch);
  }

  @Override
  public void cycleWaiting(int lane) {
    pool.release(pool.acquire().syncUninterruptibly().getNow());
  }

  @Override
  public void close() {
    pool.close();
  }
}
