package io.tether.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.ChannelPool;
import io.netty.channel.pool.ChannelPoolHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.internal.ThreadExecutorMap;
import io.tether.netty.dns.DnsDiscovery;
import io.tether.netty.internal.ChannelConnector;
import io.tether.netty.internal.ChannelProbes;
import io.tether.netty.internal.Discoveries;
import io.tether.netty.internal.EventLoopScheduler;
import io.tether.netty.internal.Loops;
import io.tether.netty.internal.NettyDefaults;
import io.tether.netty.internal.NettyLog;
import io.tether.netty.internal.PooledChannelHandler;
import io.tether.pool.ConnectionPool;
import io.tether.pool.IdleInput;
import io.tether.pool.PoolClosedException;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolStats;
import io.tether.pool.spi.Pooled;
import io.tether.pool.spi.TransportPool;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * What {@link TetherChannelPool} does as channels change hands: acquire, release, close, and the
 * {@code SimpleChannelPool} hooks a subclass may override. Users know it only as {@code
 * TetherChannelPool}, whose page lists these methods; that class holds how a pool is made (Netty's
 * constructor lists, the builder) and what it reports. The threading rules are on {@link
 * TetherChannelPool}.
 */
abstract class ChannelPoolBase implements ChannelPool {
  final Bootstrap bootstrap;
  final ChannelPoolHandler handler;
  final ChannelHealthChecker healthCheck;
  final boolean releaseHealthCheck;
  final ConnectionPool<Channel> pool;
  private final TransportPool<Channel> transport;
  private final EventExecutor executor;
  /** Built with {@code SimpleChannelPool}'s parameters: close() empties the pool and it stays usable. */
  private final boolean reusableAfterClose;
  /** No callback or check to run on the event loop: the idle lease and release stay on the caller. */
  private final boolean inline;
  /** A subclass keeps idle channels itself ({@link #pollChannel}/{@link #offerChannel} overridden). */
  private final boolean customQueue;
  /** The event-loop side of acquires and releases: checks and callbacks, as SimpleChannelPool runs them. */
  private final HandOver handOver;
  private volatile boolean closed;
  /** The DNS discovery this pool started from its config's {@code discovery.*} keys, or null. */
  final DnsDiscovery discovery;

  ChannelPoolBase(TetherChannelPool.Builder b, boolean reusableAfterClose) {
    this.handler = b.handler;
    this.healthCheck = b.healthCheck;
    this.releaseHealthCheck = b.releaseHealthCheck;
    this.reusableAfterClose = reusableAfterClose;
    EventLoopGroup group = b.bootstrap.config().group();
    this.executor = b.executor != null ? b.executor : group != null ? group.next() : GlobalEventExecutor.INSTANCE;
    boolean discovered = b.config().discovery().enabled();
    PoolConfig config = b.dynamicServers || discovered ? b.config() : NettyDefaults.withServer(b.config(), b.bootstrap);
    ChannelConnector connector = new ChannelConnector(this, b.bootstrap, b.handler, b.ticker(),
        config.responseTimeout(), config.idleInput() == IdleInput.CLOSE, config.name(), b.tls, this::connectChannel);
    this.bootstrap = b.bootstrap.clone();
    ConnectionPool.Builder<Channel> pb = ConnectionPool.builder(connector)
        .config(config)
        .scheduler(new EventLoopScheduler(executor))
        .ticker(b.ticker())
        .listener(b.listener())
        .log(NettyLog.of(config.name()))
        .metrics(b.metrics());
    if (b.dynamicServers) {
      pb.dynamicServers();
    }
    if (config.healthCheck().enabled()) {
      pb.healthProbe(b.healthProbe() != null ? b.healthProbe() : ChannelProbes.of(b.bootstrap, b.tls));
    }
    this.customQueue = NettyDefaults.overrides(getClass(), TetherChannelPool.class, "pollChannel")
        || NettyDefaults.overrides(getClass(), TetherChannelPool.class, "offerChannel", Channel.class);
    boolean quietHandler = NettyDefaults.isEmpty(handler, "channelAcquired")
        && NettyDefaults.isEmpty(handler, "channelReleased");
    this.inline = quietHandler && healthCheck == ChannelHealthChecker.ACTIVE && !customQueue;
    this.pool = pb.build();
    this.transport = pool.transport();
    this.handOver = new HandOver(this, handler, healthCheck, releaseHealthCheck, transport, customQueue);
    this.discovery = discovered ? Discoveries.start(pool, group, config) : null;
  }

  // ------------------------------------------------------------- acquiring

  @Override
  public Future<Channel> acquire() {
    if (inline) {
      Channel ch;
      try {
        ch = pollChannel();
      } catch (RuntimeException e) {
        return ImmediateEventExecutor.INSTANCE.newFailedFuture(e);
      }
      if (ch != null) {
        // Nothing to run on the event loop: ACTIVE was checked as the engine leased it.
        return PooledChannelHandler.of(ch).acquiredFuture(ch);
      }
      return acquireNew(Loops.promise(executor));
    }
    return acquire(Loops.promise(executor));
  }

  @Override
  public Future<Channel> acquire(Promise<Channel> promise) {
    Objects.requireNonNull(promise, "promise");
    Channel ch;
    try {
      ch = pollChannel();
    } catch (RuntimeException e) {
      promise.tryFailure(e);
      return promise;
    }
    if (ch != null) {
      handOver.deliver(ch, promise);
      return promise;
    }
    return acquireNew(promise);
  }

  /**
   * Acquires a channel for the session {@code key}, preferring the channel, or at least the server, the
   * key used last; see {@link ConnectionPool#acquireByKey}. Completes like {@link #acquire()}.
   *
   * @param key the session key, compared with {@code equals}
   * @return a future of the channel
   */
  public Future<Channel> acquireByKey(Object key) {
    Objects.requireNonNull(key, "key");
    Promise<Channel> promise = Loops.promise(executor);
    Pooled<Channel> p;
    try {
      p = transport.tryLeaseByKey(key);
    } catch (RuntimeException e) {
      promise.tryFailure(e);
      return promise;
    }
    if (p != null) {
      handOver.deliver(p.connection(), promise);
      return promise;
    }
    leaseThenDeliver(transport.lease(key), promise);
    return promise;
  }

  /**
   * An idle channel if one is ready now, else null: never waits, never opens a channel, and (with no
   * callbacks to run, see {@link TetherChannelPool}) allocates nothing. Release it like any other.
   *
   * @return an idle channel, or null
   * @throws IllegalStateException if the pool is closed
   */
  public Channel tryAcquireNow() {
    if (!inline) {
      throw new IllegalStateException("tryAcquireNow() runs no callback and no health check: it needs a handler "
          + "without channelAcquired/channelReleased and ChannelHealthChecker.ACTIVE; use acquire()");
    }
    return pollChannel();
  }

  private Future<Channel> acquireNew(Promise<Channel> promise) {
    if (closed && !reusableAfterClose) {
      promise.tryFailure(closedError());
      return promise;
    }
    leaseThenDeliver(transport.lease(null), promise);
    return promise;
  }

  private void leaseThenDeliver(CompletableFuture<Pooled<Channel>> leasing, Promise<Channel> promise) {
    if (!leasing.isDone()) {
      // Giving up on the promise (cancel, a failure set from outside) withdraws the waiting acquire.
      promise.addListener(f -> {
        if (!f.isSuccess()) {
          leasing.completeExceptionally(f.cause());
        }
      });
    }
    leasing.whenComplete((p, error) -> {
      if (error != null) {
        promise.tryFailure(NettyDefaults.unwrap(error));
      } else {
        handOver.deliver(p.connection(), promise);
      }
    });
  }

  /**
   * Takes an idle channel out of the pool, already leased; null if none is ready. Netty's {@code
   * SimpleChannelPool} hook: override it with {@link #offerChannel} to keep idle channels yourself.
   *
   * @return an idle channel, or null
   */
  protected Channel pollChannel() {
    Pooled<Channel> p = transport.tryLease();
    return p == null ? null : p.connection();
  }

  /**
   * Returns a released, healthy channel to the pool. Netty's {@code SimpleChannelPool} hook; false fails
   * the release with {@link IllegalStateException} and closes the channel.
   *
   * @param channel the channel
   * @return whether the pool took it
   */
  protected boolean offerChannel(Channel channel) {
    PooledChannelHandler h = PooledChannelHandler.of(channel);
    return h != null && transport.release(h.pooled());
  }

  /**
   * Connects {@code bs}, a copy of the bootstrap with the pool's handler and the server's address set.
   * Netty's {@code SimpleChannelPool} hook.
   *
   * @param bs the bootstrap to connect
   * @return the connect's future
   */
  protected ChannelFuture connectChannel(Bootstrap bs) {
    return bs.connect();
  }

  // ------------------------------------------------------------- releasing

  @Override
  public Future<Void> release(Channel channel) {
    Objects.requireNonNull(channel, "channel");
    if (inline && (channel.eventLoop().inEventLoop() || !Loops.busy(channel.eventLoop()))) {
      // Nothing queued on the loop could close the channel before us (the busy check), so usable() is
      // the truth, and nothing needs the loop.
      PooledChannelHandler h = handOver.ownHandler(channel);
      RuntimeException error = h == null ? HandOver.notFromHere(channel) : releaseHere(channel, h);
      return error == null ? h.releasedFuture(channel) : channel.eventLoop().newFailedFuture(error);
    }
    return release(channel, Loops.promise(channel.eventLoop()));
  }

  @Override
  public Future<Void> release(Channel channel, Promise<Void> promise) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(promise, "promise");
    Runnable task = () -> handOver.releaseOnLoop(channel, promise);
    if (!Loops.run(channel.eventLoop(), task)) {
      task.run(); // the loop is gone (and closed the channel): release it here
    }
    return promise;
  }

  /** The fast release: no callback, no check but liveness. */
  private RuntimeException releaseHere(Channel channel, PooledChannelHandler h) {
    Pooled<Channel> p = h.pooled();
    boolean done = h.isUsable(channel) ? transport.release(p)
        : transport.invalidate(p, h.inactiveCause(), null);
    if (!done) {
      return handOver.notLeased(channel, p);
    }
    return afterClose(channel);
  }

  /** A release after close() of a pool with Netty's FixedChannelPool lifecycle: the channel closes. */
  RuntimeException afterClose(Channel channel) {
    if (!closed || reusableAfterClose) {
      return null;
    }
    channel.close();
    return closedError();
  }

  private IllegalStateException closedError() {
    return new PoolClosedException(pool.config().name());
  }

  // ------------------------------------------------------------- lifecycle

  /**
   * Closes idle channels and returns, as Netty's pools do; see {@link TetherChannelPool} for what
   * happens to leased ones. Waits for the idle channels to close, except on an event loop thread, where waiting
   * could block the very close it waits for (netty/netty#8238).
   */
  @Override
  public void close() {
    Future<Void> f = closeAsync();
    if (ThreadExecutorMap.currentExecutor() == null) {
      f.awaitUninterruptibly();
    }
  }

  /**
   * Closes without blocking: idle channels now; see {@link TetherChannelPool}'s class comment for leased
   * ones. {@link TetherChannelPool#leases()}{@code .closeAsync()} completes when the last channel has
   * closed.
   *
   * @return completes when the channels that were idle have closed
   */
  public Future<Void> closeAsync() {
    CompletableFuture<Void> idleClosed;
    if (reusableAfterClose) {
      idleClosed = transport.closeIdle();
    } else {
      closed = true;
      if (discovery != null) {
        discovery.close();
      }
      pool.closeAsync();
      idleClosed = transport.closeIdle();
    }
    Promise<Void> p = ImmediateEventExecutor.INSTANCE.newPromise();
    idleClosed.whenComplete((v, e) -> p.trySuccess(null));
    return p;
  }

  /**
   * {@return channels acquired and not yet released, connects for acquires included; 0 once closed, as
   * {@code FixedChannelPool}}
   */
  public int acquiredChannelCount() {
    if (closed) {
      return 0;
    }
    PoolStats s = pool.stats();
    return s.leased() + s.connecting();
  }
}
