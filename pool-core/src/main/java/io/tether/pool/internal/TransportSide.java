package io.tether.pool.internal;

import io.tether.pool.CloseCause;
import io.tether.pool.ConnectionPool;
import io.tether.pool.spi.Pooled;
import io.tether.pool.spi.TransportPool;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The pool as a transport adapter sees it ({@link ConnectionPool#transport()}): leases as the pooled
 * connections themselves, no handle per lease, for adapters whose users hold the connection (a Netty
 * {@code Channel}) rather than a lease. Each call checks that the connection is this pool's.
 */
final class TransportSide<C> implements TransportPool<C> {
  private final PoolEngine<C> engine;

  TransportSide(PoolEngine<C> engine) {
    this.engine = engine;
  }

  @Override
  public Pooled<C> tryLease() {
    engine.checkOpen();
    long now = engine.ticker.read();
    return engine.leaseNow(engine.members.pollAnyIdle(now), now);
  }

  @Override
  public Pooled<C> tryLeaseByKey(Object key) {
    Objects.requireNonNull(key, "key");
    engine.checkOpen();
    long now = engine.ticker.read();
    return engine.leaseNow(engine.affinity.pinnedIdle(key, now), now);
  }

  @Override
  @SuppressWarnings("unchecked")
  public CompletableFuture<Pooled<C>> lease(Object key) {
    return (CompletableFuture<Pooled<C>>) (CompletableFuture<?>) engine.acquire0(null, key, false, false);
  }

  @Override
  public boolean release(Pooled<C> p) {
    PooledConnection<C> c = own(p);
    return c != null && engine.release(c);
  }

  @Override
  public boolean invalidate(Pooled<C> p, CloseCause cause, Throwable detail) {
    PooledConnection<C> c = own(p);
    if (c == null || !PooledConnection.leased(c.state())) {
      return engine.closedUnderItsHolder(c);
    }
    engine.invalidate(c, cause, detail);
    return true;
  }

  @Override
  public boolean closeIfIdle(Pooled<C> p) {
    PooledConnection<C> c = own(p);
    if (c == null) {
      return false;
    }
    boolean claimed;
    synchronized (c.server) {
      claimed = c.server.beginClose(c, PooledConnection.IDLE, CloseCause.BROKEN);
    }
    if (claimed) {
      engine.finishClose(c, null);
    }
    return claimed;
  }

  @Override
  public CompletableFuture<Void> closeIdle() {
    return engine.closeIdle();
  }

  @Override
  public ConnectionPool<C> pool() {
    return engine;
  }

  /** {@code p} as this pool's connection, or null if it is another pool's (or not a pooled connection). */
  @SuppressWarnings("unchecked")
  private PooledConnection<C> own(Pooled<C> p) {
    return p instanceof PooledConnection && ((PooledConnection<?>) p).server.engine == engine
        ? (PooledConnection<C>) p : null;
  }
}
