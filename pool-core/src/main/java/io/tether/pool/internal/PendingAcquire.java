package io.tether.pool.internal;

import io.tether.pool.ServerState;
import io.tether.pool.spi.Scheduler;
import java.util.concurrent.CompletableFuture;

/**
 * An acquire waiting for a connection. Queued in arrival order in a {@link WaitQueue}; whoever unlinks
 * it (a hand-off, its timeout, its server going down, the pool closing, or its user giving up) is the one
 * that completes it, so it is completed exactly once and an acquire given up leaves nothing behind.
 */
final class PendingAcquire<C> {
  /** What the user holds: completes with a {@link LeaseHandle}, or with the connection itself for adapters. */
  final AcquireFuture<Object> future = new AcquireFuture<>();

  /** Whether the user gets a {@link LeaseHandle} (core API) or the {@link PooledConnection} (adapters). */
  final boolean handle;

  final long enqueuedAt;

  /** Wants a newly opened connection: never served from the idle set or by a hand-off. */
  final boolean fresh;

  /**
   * With leak detection on, the stack of the application's acquire call: the lease may start on an
   * event loop (when a connect or a release serves it), whose stack shows nothing of the application.
   */
  Throwable site;

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

  /** Its acquire timeout passed with {@code on-acquire-timeout=connect}: its connect ignores the limits. */
  volatile boolean overLimit;

  private final Waiting<C> waiting;

  PendingAcquire(Waiting<C> waiting, ServerPool<C> target, long enqueuedAt, boolean fresh, Object key,
      boolean handle) {
    this.waiting = waiting;
    this.target = target;
    this.enqueuedAt = enqueuedAt;
    this.fresh = fresh;
    this.key = key;
    this.handle = handle;
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

  /**
   * The future handed to the user. The pool completes it through {@link #succeed} and {@link #fail}; any
   * other completion (cancel, {@code orTimeout}, {@code completeOnTimeout}, {@code complete} from
   * outside) means the user gave up, and withdraws the acquire from the queue at once.
   */
  final class AcquireFuture<T> extends CompletableFuture<T> {
    boolean succeed(T value) {
      return super.complete(value);
    }

    boolean fail(Throwable error) {
      return super.completeExceptionally(error);
    }

    @Override
    public boolean complete(T value) {
      boolean done = super.complete(value);
      if (done) {
        waiting.gaveUp(PendingAcquire.this);
      }
      return done;
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
      boolean done = super.completeExceptionally(ex);
      if (done) {
        waiting.gaveUp(PendingAcquire.this);
      }
      return done;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      if (cancelled) {
        waiting.gaveUp(PendingAcquire.this);
      }
      return cancelled;
    }
  }
}
