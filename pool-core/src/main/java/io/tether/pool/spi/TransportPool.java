package io.tether.pool.spi;

import io.tether.pool.CloseCause;
import io.tether.pool.ConnectionPool;
import java.util.concurrent.CompletableFuture;

/**
 * The pool as a transport adapter uses it when it hands out its own connection objects (a Netty
 * {@code Channel}, released by {@code release(channel)}) instead of {@link io.tether.pool.Lease}s: leasing
 * allocates nothing, and releasing goes by the connection. Whoever holds a leased connection releases it
 * once; {@link #release} of a connection that is not leased returns false and changes nothing.
 *
 * <p>Thread-safe, as {@link ConnectionPool}.
 *
 * @param <C> the transport's connection type
 */
public interface TransportPool<C> {
  /** {@return an idle connection leased now, or null if none is ready; allocates nothing} */
  Pooled<C> tryLease();

  /**
   * {@return an idle connection to the server {@code key} is pinned to, leased now, or null}
   *
   * @param key the session key
   */
  Pooled<C> tryLeaseByKey(Object key);

  /**
   * Leases a connection, waiting or connecting as {@link ConnectionPool#acquire()} does.
   *
   * @param key a session key for affinity, or null
   * @return completes with the leased connection; cancelling or completing it from outside withdraws it
   */
  CompletableFuture<Pooled<C>> lease(Object key);

  /**
   * Returns a leased connection to the pool (or closes it, as {@link io.tether.pool.Lease#release} does).
   *
   * @param connection a connection leased from this pool
   * @return false if it was not leased (released twice, or never leased): nothing was changed
   */
  boolean release(Pooled<C> connection);

  /**
   * Closes a leased connection instead of returning it.
   *
   * @param connection a connection leased from this pool
   * @param cause why
   * @param detail the error behind it, or null
   * @return false if it was not leased: nothing was changed
   */
  boolean invalidate(Pooled<C> connection, CloseCause cause, Throwable detail);

  /**
   * Closes {@code connection} (counted as {@code BROKEN}) if it is idle in the pool: what a transport
   * does with a connection released twice (Netty's pools close it).
   *
   * @param connection a connection of this pool
   * @return false if it was not idle: leased (perhaps by someone else now), connecting or closed
   */
  boolean closeIfIdle(Pooled<C> connection);

  /**
   * Closes every idle connection now; the pool stays open (Netty's {@code SimpleChannelPool.close()}).
   * Once the pool is closed, returns the closes of the connections that were idle when it closed.
   *
   * @return completes when the transport has closed them all
   */
  CompletableFuture<Void> closeIdle();

  /** {@return the pool itself, for everything else} */
  ConnectionPool<C> pool();
}
