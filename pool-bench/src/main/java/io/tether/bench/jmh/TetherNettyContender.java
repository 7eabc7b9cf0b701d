package io.tether.bench.jmh;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.util.concurrent.Future;
import io.tether.netty.TetherChannelPool;
import io.tether.pool.PoolConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link TetherChannelPool} over real loopback sockets. Shared: one pool for every lane, its channels
 * spread over all the loops (Tether never hops to a channel's loop to hand it out, but a release from
 * another thread waits for the channel's loop when that loop has work queued). Per loop: one pool per
 * lane holding channels of the lane's loop only, the shape Netty's pools get here. {@code future} uses
 * the {@code ChannelPool} API a Netty application already calls; otherwise {@code tryAcquireNow}.
 */
final class TetherNettyContender implements Contender {
  private final TetherChannelPool[] pools;
  private final boolean future;

  /** One pool of {@code connections} shared by every lane. */
  TetherNettyContender(Lanes lanes, int connections, boolean future) {
    this.future = future;
    this.pools = new TetherChannelPool[] {pool(lanes, lanes.group, connections)};
  }

  /** One pool of {@code idle} connections per lane, on the lane's own loop. */
  TetherNettyContender(Lanes lanes, int count, int idle) {
    this.future = false;
    this.pools = new TetherChannelPool[count];
    for (int lane = 0; lane < count; lane++) {
      pools[lane] = pool(lanes, lanes.loop(lane), idle);
    }
  }

  private static TetherChannelPool pool(Lanes lanes, EventLoopGroup group, int connections) {
    Bootstrap b = new Bootstrap().group(group).channel(lanes.channelType).remoteAddress(lanes.address());
    PoolConfig config = PoolConfig.builder().maxConnections(connections).lbIdleTimeout(Duration.ofHours(1)).build();
    TetherChannelPool pool = TetherChannelPool.builder(b).handler(new AbstractChannelPoolHandler() {
      @Override
      public void channelCreated(Channel ch) {}
    }).config(config).build();
    List<Channel> channels = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      channels.add(pool.acquire().syncUninterruptibly().getNow());
    }
    channels.forEach(pool::release);
    return pool;
  }

  @Override
  public void cycle(int lane) {
    TetherChannelPool pool = pools[lane % pools.length];
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
    TetherChannelPool pool = pools[lane % pools.length];
    pool.release(pool.acquire().syncUninterruptibly().getNow());
  }

  @Override
  public void close() {
    for (TetherChannelPool pool : pools) {
      pool.close();
    }
  }
}
