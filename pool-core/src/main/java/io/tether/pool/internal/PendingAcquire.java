package io.tether.pool.internal;

import io.tether.pool.Lease;
import io.tether.pool.Scheduler;
import java.util.concurrent.CompletableFuture;

/**
 * An acquire waiting for a connection. Queued in arrival order; whoever unlinks it from the queue
 * (a hand-off, its timeout, its cancellation, the pool closing) is the one that completes it, so it is
 * completed exactly once and a cancelled acquire leaves nothing behind.
 */
final class PendingAcquire<C> {
  final AcquireFuture future = new AcquireFuture();

  /** The server it must be served by, or null for any. */
  final ServerPool<C> target;

  final long enqueuedAt;

  /** Wants a newly opened connection: never served from the idle set or by a hand-off. */
  final boolean fresh;

  // Guarded by the engine's waiter lock.
  PendingAcquire<C> prev;
  PendingAcquire<C> next;
  boolean queued;
  boolean connectStarted;

  volatile Scheduler.Cancellable timeout;

  private final PoolEngine<C> engine;

  PendingAcquire(PoolEngine<C> engine, ServerPool<C> target, long enqueuedAt, boolean fresh) {
    this.engine = engine;
    this.target = target;
    this.enqueuedAt = enqueuedAt;
    this.fresh = fresh;
  }

  /** Whether a connection to {@code server} that was already open may serve this acquire. */
  boolean accepts(ServerPool<C> server) {
    return !fresh && (target == null || target == server);
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
