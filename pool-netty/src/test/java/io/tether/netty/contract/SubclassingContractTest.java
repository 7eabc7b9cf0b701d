package io.tether.netty.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.ChannelPool;
import io.netty.channel.pool.ChannelPoolHandler;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.channel.pool.FixedChannelPool.AcquireTimeoutAction;
import io.netty.channel.pool.SimpleChannelPool;
import io.netty.util.concurrent.Future;
import io.tether.netty.TetherChannelPool;
import io.tether.netty.contract.ChannelPoolContractTest.Counting;
import io.tether.netty.contract.ChannelPoolContractTest.Transport;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a subclass of Netty's pools relies on, asserted alike for {@code SimpleChannelPool}/{@code
 * FixedChannelPool} subclasses and {@code TetherChannelPool} subclasses written the same way: its own
 * idle queue through {@code pollChannel}/{@code offerChannel} (a refused offer fails the release with
 * {@link IllegalStateException} and closes the channel), {@code connectChannel} as the place a connect
 * is made (a connect under way counts in {@code acquiredChannelCount}), and the accessors giving back
 * what the pool was built with. On Netty's in-VM transport, so each case runs in milliseconds.
 */
@Timeout(30)
class SubclassingContractTest {
  private final Transport transport = new Transport("local");
  private ChannelPool pool;

  @AfterEach
  void tearDown() {
    if (pool != null) {
      pool.close();
    }
    transport.close();
  }

  /**
   * The idle queue a subclass keeps itself, and whether it refuses the next offer; each subclass below
   * hands its {@code pollChannel}/{@code offerChannel} to one of these.
   */
  static final class OwnQueue {
    final Deque<Channel> queue = new ArrayDeque<>();
    private boolean refuse;

    synchronized Channel poll() {
      return queue.pollLast();
    }

    synchronized boolean offer(Channel channel) {
      if (refuse) {
        refuse = false;
        return false;
      }
      return queue.offerLast(channel);
    }

    synchronized void refuseNext() {
      refuse = true;
    }
  }

  static final class NettyOwnQueue extends SimpleChannelPool {
    final OwnQueue own = new OwnQueue();

    NettyOwnQueue(Bootstrap b, ChannelPoolHandler h) {
      super(b, h);
    }

    @Override
    protected Channel pollChannel() {
      return own.poll();
    }

    @Override
    protected boolean offerChannel(Channel channel) {
      return own.offer(channel);
    }
  }

  static final class TetherOwnQueue extends TetherChannelPool {
    final OwnQueue own = new OwnQueue();

    TetherOwnQueue(Bootstrap b, ChannelPoolHandler h) {
      super(b, h);
    }

    @Override
    protected Channel pollChannel() {
      return own.poll();
    }

    @Override
    protected boolean offerChannel(Channel channel) {
      return own.offer(channel);
    }
  }

  @Test
  void nettysPoolKeepsIdleChannelsInTheSubclassesQueue() throws Exception {
    Counting h = new Counting();
    NettyOwnQueue p = new NettyOwnQueue(transport.client(transport.start()), h);
    ownQueue(p, p.own, h);
  }

  @Test
  void tethersPoolKeepsIdleChannelsInTheSubclassesQueue() throws Exception {
    Counting h = new Counting();
    TetherOwnQueue p = new TetherOwnQueue(transport.client(transport.start()), h);
    ownQueue(p, p.own, h);
  }

  private void ownQueue(ChannelPool p, OwnQueue own, Counting h) throws Exception {
    pool = p;
    Channel ch = p.acquire().get(5, TimeUnit.SECONDS);
    p.release(ch).get(5, TimeUnit.SECONDS);
    assertEquals(1, h.released.get(), "channelReleased ran once");
    assertEquals(1, own.queue.size(), "the released channel went to the subclass's queue");
    assertSame(ch, own.queue.peekLast());

    Channel again = p.acquire().get(5, TimeUnit.SECONDS);
    assertSame(ch, again, "acquire polled the subclass's queue");
    assertTrue(own.queue.isEmpty());
    assertEquals(1, h.created.get(), "no second channel");

    own.refuseNext();
    Future<Void> refused = p.release(again).await();
    assertFalse(refused.isSuccess(), "a refused offer fails the release");
    assertInstanceOf(IllegalStateException.class, refused.cause(), String.valueOf(refused.cause()));
    again.closeFuture().await(5, TimeUnit.SECONDS);
    assertFalse(again.isOpen(), "and closes the channel");
    assertEquals(1, h.released.get(), "channelReleased does not run for a refused offer");
  }

  @Test
  void nettysFixedPoolCountsAConnectUnderWayAndOpensChannelsThroughConnectChannel() throws Exception {
    Bootstrap b = transport.client(transport.start());
    HeldConnects held = new HeldConnects();
    FixedChannelPool p = new FixedChannelPool(b, new Counting(), 2) {
      @Override
      protected ChannelFuture connectChannel(Bootstrap bs) {
        return held.connect(bs);
      }
    };
    connectUnderWay(p, p::acquiredChannelCount, held);
  }

  @Test
  void tethersPoolCountsAConnectUnderWayAndOpensChannelsThroughConnectChannel() throws Exception {
    Bootstrap b = transport.client(transport.start());
    HeldConnects held = new HeldConnects();
    TetherChannelPool p = new TetherChannelPool(b, new Counting(), 2) {
      @Override
      protected ChannelFuture connectChannel(Bootstrap bs) {
        return held.connect(bs);
      }
    };
    connectUnderWay(p, p::acquiredChannelCount, held);
  }

  /** Connects the pool asks for, held until {@link #letGo()}: a slow network, on demand. */
  static final class HeldConnects {
    final CompletableFuture<Void> gate = new CompletableFuture<>();
    volatile int calls;

    ChannelFuture connect(Bootstrap bs) {
      calls++;
      Channel ch = bs.register().syncUninterruptibly().channel();
      ChannelPromise promise = ch.newPromise();
      gate.thenRun(() -> ch.connect(bs.config().remoteAddress()).addListener(f -> {
        if (f.isSuccess()) {
          promise.trySuccess();
        } else {
          promise.tryFailure(f.cause());
        }
      }));
      return promise;
    }

    void letGo() {
      gate.complete(null);
    }
  }

  private void connectUnderWay(ChannelPool p, Supplier<Integer> acquiredCount, HeldConnects held) throws Exception {
    pool = p;
    Future<Channel> acquiring = p.acquire();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (held.calls == 0 && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertEquals(1, held.calls, "the pool connected through connectChannel");
    assertFalse(acquiring.isDone(), "the connect is held");
    assertEquals(1, acquiredCount.get(), "a connect under way for an acquire counts as acquired");
    held.letGo();
    Channel ch = acquiring.get(5, TimeUnit.SECONDS);
    assertTrue(ch.isActive());
    assertEquals(1, acquiredCount.get());
    p.release(ch).get(5, TimeUnit.SECONDS);
    assertEquals(0, acquiredCount.get());
  }

  @Test
  void theAccessorsGiveBackWhatThePoolWasBuiltWith() throws Exception {
    Bootstrap b = transport.client(transport.start());
    Counting h = new Counting();
    ChannelHealthChecker checker = ch -> ch.eventLoop().newSucceededFuture(Boolean.TRUE);
    TetherChannelPool p = new TetherChannelPool(b, h, checker, AcquireTimeoutAction.FAIL, 1000, 1, 10, false);
    pool = p;
    assertSame(h, p.handler());
    assertSame(checker, p.healthChecker());
    assertFalse(p.releaseHealthCheck());
    assertEquals(b.config().remoteAddress(), p.bootstrap().config().remoteAddress());
    TetherChannelPool checking = new TetherChannelPool(b, h, checker, true);
    try {
      assertTrue(checking.releaseHealthCheck());
    } finally {
      checking.close();
    }
  }
}
