package io.tether.pool.internal;

/**
 * A connect in flight and the acquire it is for. The acquire can be served before the connect ends
 * (by a released connection, say); the connect then passes to the next waiting acquire that has none,
 * or waits, orphaned, for one to adopt it. Without this, every acquire that queues behind a busy pool
 * starts one more connect, and a burst of waiters leaves a burst of connects behind it long after the
 * waiters were served. Fields guarded by the {@link WaitQueue} lock.
 */
final class ConnectAttempt<C> {
  private static final java.lang.invoke.VarHandle SETTLED;

  static {
    try {
      SETTLED = java.lang.invoke.MethodHandles.lookup().findVarHandle(ConnectAttempt.class, "settled", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** 1 once the transport answered or the guard gave up: the first of the two decides. */
  @SuppressWarnings("unused") // through SETTLED
  private volatile int settled;

  /** The guard timer against a transport that never answers; cancelled when the answer comes. */
  volatile io.tether.pool.spi.Scheduler.Cancellable guard;

  boolean settle() {
    return SETTLED.compareAndSet(this, 0, 1);
  }

  void cancelGuard() {
    io.tether.pool.spi.Scheduler.Cancellable g = guard;
    if (g != null) {
      g.cancel();
    }
  }

  /** The acquire this connect will serve, or null while orphaned. */
  PendingAcquire<C> owner;

  /** Whether it was started by min-idle warm-up rather than for an acquire; set once before it is shared. */
  volatile boolean warmUp;

  /** The server it connects to. */
  final ServerPool<C> server;

  ConnectAttempt(PendingAcquire<C> owner, ServerPool<C> server) {
    this.owner = owner;
    this.server = server;
  }

  /** Whether {@code w} may take this connect over. */
  boolean suits(PendingAcquire<C> w) {
    return w.queued && !w.connectStarted && w.acceptsNew(server) && w.avoid != server;
  }
}
