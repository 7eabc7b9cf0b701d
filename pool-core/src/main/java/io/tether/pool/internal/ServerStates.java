package io.tether.pool.internal;

import io.tether.pool.CloseCause;
import io.tether.pool.EndpointDownException;
import io.tether.pool.OnMarkedDown;
import io.tether.pool.ServerState;
import java.util.ArrayList;
import java.util.List;

/**
 * A server's state, from two inputs: its health (checks and observed errors) and its administrative
 * state (runtime drain and maintenance). A change to DOWN, DRAIN or MAINT applies {@code on-marked-down}
 * to its connections and moves or fails the acquires waiting for it; a change back to UP lets it take
 * leases again.
 *
 * <p>Transitions are decided under one lock; their effects (closing connections, completing futures,
 * listener calls) run after it is released, each re-checking the state it acts on.
 */
final class ServerStates<C> {
  private final PoolEngine<C> engine;
  private volatile OnMarkedDown onMarkedDown;
  private volatile boolean observe;
  private volatile int errorLimit;

  ServerStates(PoolEngine<C> engine, OnMarkedDown onMarkedDown, boolean observe, int errorLimit) {
    this.engine = engine;
    this.onMarkedDown = onMarkedDown;
    this.observe = observe;
    this.errorLimit = errorLimit;
  }

  /** New settings from a live reconfiguration; applied to the next transition. */
  void configure(OnMarkedDown onMarkedDown, boolean observe, int errorLimit) {
    this.onMarkedDown = onMarkedDown;
    this.observe = observe;
    this.errorLimit = errorLimit;
  }

  void setHealth(ServerPool<C> sp, boolean healthy, String reason) {
    ServerState from;
    ServerState to;
    synchronized (this) {
      if (sp.healthy == healthy) {
        return;
      }
      sp.healthy = healthy;
      sp.observedErrors = 0;
      from = sp.state;
      to = effective(sp);
      sp.state = to;
    }
    changed(sp, from, to, reason);
  }

  /** The runtime call: UP clears drain or maintenance; DRAIN and MAINT set them. */
  void setAdmin(ServerPool<C> sp, ServerState requested) {
    ServerPool.Admin admin;
    switch (requested) {
      case UP:
        admin = ServerPool.Admin.READY;
        break;
      case DRAIN:
        admin = ServerPool.Admin.DRAIN;
        break;
      case MAINT:
        admin = ServerPool.Admin.MAINT;
        break;
      default:
        throw new IllegalArgumentException(
            "a server can be set to UP (ready), DRAIN or MAINT; DOWN is decided by its health checks");
    }
    ServerState from;
    ServerState to;
    synchronized (this) {
      if (sp.admin == admin) {
        return;
      }
      if (sp.admin == ServerPool.Admin.MAINT && admin == ServerPool.Admin.READY && sp.checker != null) {
        // Back from maintenance, a checked server proves itself with `rise` checks first.
        sp.healthy = false;
        sp.checker.reset();
      }
      sp.admin = admin;
      from = sp.state;
      to = effective(sp);
      sp.state = to;
    }
    changed(sp, from, to, "set to " + requested + " at runtime");
  }

  /** A connect or a leased connection failed ({@code ok} false), or succeeded. */
  void observe(ServerPool<C> sp, boolean ok) {
    if (!observe || sp.checker == null) {
      return; // without checks nothing would ever bring the server back up
    }
    if (ok) {
      if (sp.observedErrors != 0) {
        synchronized (this) {
          sp.observedErrors = 0;
        }
      }
      return;
    }
    int n;
    synchronized (this) {
      n = ++sp.observedErrors;
    }
    if (n >= errorLimit) {
      setHealth(sp, false, n + " consecutive connect failures or resets observed (error-limit " + errorLimit + ")");
    }
  }

  private static ServerState effective(ServerPool<?> sp) {
    if (sp.admin == ServerPool.Admin.MAINT) {
      return ServerState.MAINT;
    }
    if (sp.admin == ServerPool.Admin.DRAIN) {
      return ServerState.DRAIN;
    }
    return sp.healthy ? ServerState.UP : ServerState.DOWN;
  }

  private void changed(ServerPool<C> sp, ServerState from, ServerState to, String reason) {
    if (from == to) {
      return;
    }
    engine.listener.stateChanged(sp.endpoint, from, to, reason);
    engine.recorder.recordStateChange(sp.endpoint, from, to);
    if (engine.isClosed()) {
      return;
    }
    boolean closeLeased = to == ServerState.MAINT
        || (to == ServerState.DOWN && onMarkedDown == OnMarkedDown.SHUTDOWN_SESSIONS);
    boolean closeIdle = closeLeased || to == ServerState.DRAIN
        || (to == ServerState.DOWN && onMarkedDown == OnMarkedDown.DRAIN);
    synchronized (this) {
      if (sp.state != to) {
        return; // overtaken by a later change, which applies its own effects
      }
      sp.releaseMode = closeIdle ? ServerPool.CLOSE_DOWN : ServerPool.REUSE;
    }
    if (to == ServerState.UP) {
      engine.serverUp(sp);
      return;
    }
    List<PooledConnection<C>> out = new ArrayList<>();
    if (closeIdle) {
      sp.closeAllIdle(CloseCause.ENDPOINT_DOWN, out);
    }
    if (closeLeased) {
      sp.closeAllLeased(CloseCause.ENDPOINT_DOWN, out);
    }
    EndpointDownException why = new EndpointDownException(engine.name, sp.endpoint.name(), reason);
    for (PooledConnection<C> c : out) {
      engine.finishClose(c, why);
    }
    engine.serverLeft(sp, why);
  }
}
