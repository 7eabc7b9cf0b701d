package io.tether.netty3;

import io.tether.netty3.internal.ChannelConnector;
import io.tether.netty3.internal.ChannelProbes;
import io.tether.netty3.internal.Netty3Log;
import io.tether.netty3.internal.PooledChannelHandler;
import io.tether.netty3.internal.TimerScheduler;
import io.tether.pool.ConnectionPool;
import io.tether.pool.Endpoint;
import io.tether.pool.IdleInput;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolStats;
import io.tether.pool.ServerState;
import io.tether.pool.spi.AdapterBuilder;
import io.tether.pool.spi.Pooled;
import io.tether.pool.spi.TransportPool;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jboss.netty.bootstrap.ClientBootstrap;
import org.jboss.netty.channel.Channel;
import org.jboss.netty.util.Timer;

/**
 * A channel pool for Netty 3 ({@code org.jboss.netty}) clients, on the same engine as the Netty 4
 * adapter: channels idle past 0.9 of the balancer's timeout are closed first, resets of idle channels
 * stay out of the application, and with several servers there are affinity, health checks and failover.
 *
 * <pre>{@code
 * ClientBootstrap bootstrap = new ClientBootstrap(factory);   // your factory, options, pipeline factory
 * bootstrap.setPipelineFactory(() -> Channels.pipeline(new HttpClientCodec(), new MyHandler()));
 * Netty3ChannelPool pool = Netty3ChannelPool.builder(bootstrap, timer)
 *     .config(PoolConfig.builder().server("lb", "10.0.0.10", 80).lbIdleTimeout(Duration.ofMinutes(10)).build())
 *     .build();
 * Channel ch = pool.acquire().join();
 * ... ch.write(request) ...
 * pool.release(ch);
 * }</pre>
 *
 * <p>Timed work (sweeps, timeouts, checks) runs on the given Netty 3 {@link Timer} (a {@code
 * HashedWheelTimer}); the pool owns no thread. Thread-safe; acquiring an idle channel takes no lock and
 * completes on the calling thread. A waiting acquire completes on the thread that frees a channel or on
 * the timer. The bootstrap's pipeline factory builds each channel's pipeline; the pool adds its own
 * handler first.
 */
public final class Netty3ChannelPool implements Closeable {
  private final ConnectionPool<Channel> pool;
  private final TransportPool<Channel> transport;

  private Netty3ChannelPool(Builder b) {
    PoolConfig config = b.config();
    if (config.discovery().enabled()) {
      // DNS discovery runs on Netty 4's resolver; Netty 3 has none to build it on.
      throw new IllegalArgumentException(config.discovery().key() + " " + config.discovery().name()
          + ": DNS discovery needs the Netty 4 adapter (TetherChannelPool or TetherHttpClient); on Netty 3 give "
          + "tether.pool.server.<name> entries and change them at runtime with leases().updateServers(...)");
    }
    if (config.servers().isEmpty()) {
      Object remote = b.bootstrap.getOption("remoteAddress");
      if (!(remote instanceof InetSocketAddress)) {
        throw new IllegalArgumentException("the config names no server and the bootstrap has no remoteAddress "
            + "option: add tether.pool.server.<name>=<host>:<port>");
      }
      config = config.toBuilder().server(Endpoint.of((InetSocketAddress) remote)).build();
    }
    ChannelConnector connector = new ChannelConnector(this, b.bootstrap, b.ticker(), config.responseTimeout(),
        config.idleInput() == IdleInput.CLOSE, b.timer, config.name(), b.tls);
    ConnectionPool.Builder<Channel> pb = ConnectionPool.builder(connector)
        .config(config)
        .scheduler(new TimerScheduler(b.timer))
        .ticker(b.ticker())
        .listener(b.listener())
        .log(Netty3Log.of(config.name()))
        .metrics(b.metrics());
    if (config.healthCheck().enabled()) {
      pb.healthProbe(b.healthProbe() != null ? b.healthProbe() : ChannelProbes.of(b.bootstrap, b.timer, b.tls));
    }
    this.pool = pb.build();
    this.transport = pool.transport();
  }

  /**
   * Starts building a pool over {@code bootstrap}'s settings, timed on {@code timer}.
   *
   * @param bootstrap the application's bootstrap; its pipeline factory and options are used for every channel
   * @param timer the timer sweeps, timeouts and checks run on; the caller keeps ownership
    * @return a builder
   */
  public static Builder builder(ClientBootstrap bootstrap, Timer timer) {
    return new Builder(bootstrap, timer);
  }

  /**
   * {@return an idle channel if one is ready now, else null: never waits, never opens one, allocates
   * nothing}
   */
  public Channel tryAcquireNow() {
    Pooled<Channel> p = transport.tryLease();
    return p == null ? null : p.connection();
  }

  /** {@return a channel to any server that is up; see {@link ConnectionPool#acquire()}} */
  public CompletableFuture<Channel> acquire() {
    return map(transport.lease(null));
  }

  /**
   * {@return a channel for the session {@code key}; see {@link ConnectionPool#acquireByKey}}
   *
   * @param key the session key, compared with {@code equals}
   */
  public CompletableFuture<Channel> acquireByKey(Object key) {
    return map(transport.lease(Objects.requireNonNull(key, "key")));
  }

  /**
   * The channel of {@code leasing}; giving up on the returned future (cancel, {@code orTimeout}) withdraws
   * the acquire, and a channel that arrives after that goes back to the pool.
   */
  private CompletableFuture<Channel> map(CompletableFuture<Pooled<Channel>> leasing) {
    CompletableFuture<Channel> out = new CompletableFuture<>();
    leasing.whenComplete((p, e) -> {
      if (e != null) {
        out.completeExceptionally(e instanceof java.util.concurrent.CompletionException && e.getCause() != null
            ? e.getCause() : e);
      } else if (!out.complete(p.connection())) {
        transport.release(p);
      }
    });
    out.whenComplete((c, e) -> {
      if (e != null) {
        leasing.completeExceptionally(e); // withdraws it if it still waits
      }
    });
    return out;
  }

  private Pooled<Channel> leasedHere(Channel channel) {
    PooledChannelHandler h = PooledChannelHandler.of(channel);
    if (h == null || !h.ownedBy(this)) {
      throw new IllegalArgumentException("Channel " + channel + " was not acquired from this pool");
    }
    return h.pooled();
  }

  /**
   * Returns {@code channel} to the pool, or closes it if it is no longer usable.
   *
   * @param channel a channel acquired from this pool
   * @throws IllegalArgumentException if the channel was not acquired from this pool
   */
  public void release(Channel channel) {
    Pooled<Channel> p = leasedHere(channel);
    boolean done = channel.isConnected() ? transport.release(p)
        : transport.invalidate(p, PooledChannelHandler.of(channel).inactiveCause(), null);
    if (!done) {
      throw new IllegalArgumentException("Channel " + channel + " is not leased (released twice?)");
    }
  }

  /**
   * Closes {@code channel} instead of returning it, counted as broken.
   *
   * @param channel a channel acquired from this pool
   * @param detail the error behind it, or null
   */
  public void releaseBroken(Channel channel, Throwable detail) {
    if (!transport.invalidate(leasedHere(channel), io.tether.pool.CloseCause.BROKEN, detail)) {
      throw new IllegalArgumentException("Channel " + channel + " is not leased (released twice?)");
    }
  }

  /**
   * Sets a server to DRAIN, MAINT or back to UP; see {@link ConnectionPool#setServerState}.
   *
   * @param server the server's name, as configured
   * @param state the state to set
   */
  public void setServerState(String server, ServerState state) {
    pool.setServerState(server, state);
  }

  /** {@return the engine under the adapter, for leases and reconfiguration} */
  public ConnectionPool<Channel> leases() {
    return pool;
  }

  /** {@return the configuration in effect} */
  public PoolConfig config() {
    return pool.config();
  }

  /** {@return a snapshot of channels by state and waiting acquires} */
  public PoolStats stats() {
    return pool.stats();
  }

  /**
   * Closes without waiting; see {@link ConnectionPool#closeAsync()}.
   *
   * @return completes when the last channel is closed
   */
  public CompletableFuture<Void> closeAsync() {
    return pool.closeAsync();
  }

  /**
   * Closes and waits (at most about the close timeout).
   *
   * @throws IllegalStateException on a Netty I/O thread while channels are leased: waiting there could
   *     block the very release it waits for; use {@link #closeAsync()}
   */
  @Override
  public void close() {
    pool.close();
  }

  /** {@return the pool's name and counts, as the Netty 4 pool shows them in a debugger} */
  @Override
  public String toString() {
    return "Netty3ChannelPool{" + pool.stats() + "}";
  }

  /**
   * Options of a pool; the shared ones ({@code config}, {@code listener}, {@code metrics}, {@code
   * ticker}, {@code healthProbe}) are {@link AdapterBuilder}'s. A config that names no server makes the
   * bootstrap's {@code remoteAddress} option the one server. Not thread-safe.
   */
  public static final class Builder extends AdapterBuilder<Builder> {
    private final ClientBootstrap bootstrap;
    private final Timer timer;
    private Tls tls;

    private Builder(ClientBootstrap bootstrap, Timer timer) {
      this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
      this.timer = Objects.requireNonNull(timer, "timer");
      if (bootstrap.getPipelineFactory() == null) {
        throw new IllegalArgumentException("the bootstrap has no pipeline factory");
      }
    }

    /**
     * TLS for every connection (and for health checks with {@code check.ssl}): a connection enters the
     * pool once its handshake is over; a failed one fails the acquire with a {@code TlsException}.
     *
     * @param value the TLS settings
     * @return this builder
     */
    public Builder tls(Tls value) {
      this.tls = Objects.requireNonNull(value, "tls");
      return this;
    }

    /** {@return the started pool} */
    public Netty3ChannelPool build() {
      return new Netty3ChannelPool(this);
    }
  }
}
