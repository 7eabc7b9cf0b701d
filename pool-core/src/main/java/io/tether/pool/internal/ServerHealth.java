package io.tether.pool.internal;

/**
 * A server's health inputs: what checks and observed errors say, and what an operator set. Owned by
 * {@link ServerStates}: read and written under its lock (the checker runs on its own), combined there
 * into the server's effective state.
 */
final class ServerHealth<C> {
  /** Administrative state, set at runtime or by the configuration. */
  enum Admin {
    READY,
    DRAIN,
    MAINT
  }

  volatile ServerStates.Health checks = ServerStates.Health.UP;
  volatile Admin admin = Admin.READY;
  int observedErrors;

  /** Active checks, or null when checks are off or the server is not checked. */
  volatile HealthChecker<C> checker;

  /** Being removed: takes no new connections, leaves the pool when its last one closes. */
  volatile boolean removing;

  /** Completes when a removal requested at runtime is done; null unless one was. */
  volatile java.util.concurrent.CompletableFuture<Void> removed;
}
