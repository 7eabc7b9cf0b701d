package io.tether.pool.internal;

import io.tether.pool.Lease;
import io.tether.pool.Scheduler;
import io.tether.pool.ServerState;
import java.util.concurrent.CompletableFuture;

/**
 * An acquire waiting for a connection. Queued in arrival order in a {@link WaitQueue}; whoever unlinks
 * it (a hand-off, its timeout, its cancellation, its server going down, the pool closing) is the one
 * that completes it, so it is completed exactly once and a cancelled acquire leaves nothing behind.
 */
final class PendingAcquire<C> {
  final AcquireFuture future = new AcquireFuture();

  final long enqueuedAt;

  /** Wants a newly opened connection: never served from the idle set or by a hand-off. */
  final boolean fresh;

  /** The affinity key it acquires for, or null. */
  final Object key;

  // Guarded by the wait queue's lock.
  PendingAcquire<C> prev;
  PendingAcquire<C> next;
  boolean queued;
  /** A connect serves it: one started for it, or one it took over ({@link ConnectAttempt}). */
  boolean connectStarted;
  /** That connect, once it is under way; null otherwise. */
  ConnectAttempt<C> attempt;

  /** The server it must be served by, or null for any; a keyed acquire is moved if its server goes down. */
  volatile ServerPool<C> target;

  /** A server a failed connect came from, avoided by the redispatch. */
  volatile ServerPool<C> avoid;

  /** Connect attempts made for it (redispatch counts them against {@code retries}). */
  volatile int attempts;

  volatile Scheduler.Cancellable timeout;

  private final PoolEngine<C> engine;

  PendingAcquire(PoolEngine<C> engine, ServerPool<C> target, long enqueuedAt, boolean fresh, Object key) {
    this.engine = engine;
    this.target = target;
    this.enqueuedAt = enqueuedAt;
    this.fresh = fresh;
    this.key = key;
  }

  /** Whether a connection to {@code server} that was already open may serve this acquire. */
  boolean accepts(ServerPool<C> server) {
    return !fresh && acceptsNew(server);
  }

  /** Whether a connection just opened to {@code server} may serve this acquire. */
  boolean acceptsNew(ServerPool<C> server) {
    ServerPool<C> t = target;
    return t == null ? server.balanced : t == server && server.state == ServerState.UP;
  }

  void cancelTimeout() {
    Scheduler.Cancellable t = timeout;
    if (t != null) {
      t.cancel();
    }
  }

  /** The future handed to the user; cancelling it takes the acquire out of the queue. */
  final class AcquireFuture extends CompletableFuture<Lease<C>> {
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      if (cancelled) {
        engine.cancelled(PendingAcquire.this);
      }
      return cancelled;
    }
  }
}
