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
  /** What checks say of a server: up, up but asking for no new work (HAProxy's NOLB), or down. */
  enum Health {
    UP,
    NOLB,
    DOWN
  }

  private final PoolEngine<C> engine;
  private volatile OnMarkedDown onMarkedDown;
  private volatile io.tether.pool.OnMarkedUp onMarkedUp = io.tether.pool.OnMarkedUp.NONE;
  private volatile boolean observe;
  private volatile int errorLimit;

  ServerStates(PoolEngine<C> engine, OnMarkedDown onMarkedDown, boolean observe, int errorLimit) {
    this.engine = engine;
    this.onMarkedDown = onMarkedDown;
    this.observe = observe;
    this.errorLimit = errorLimit;
  }

  /** New settings from a live reconfiguration; applied to the next transition. */
  void configure(OnMarkedDown onMarkedDown, io.tether.pool.OnMarkedUp onMarkedUp, boolean observe, int errorLimit) {
    this.onMarkedDown = onMarkedDown;
    this.onMarkedUp = onMarkedUp;
    this.observe = observe;
    this.errorLimit = errorLimit;
  }

  void setHealth(ServerPool<C> sp, Health health, String reason) {
    ServerState from;
    ServerState to;
    synchronized (this) {
      if (sp.health == health) {
        return;
      }
      sp.health = health;
      sp.observedErrors = 0;
      from = sp.state;
      to = effective(sp);
      sp.state = to;
      rotation();
    }
    changed(sp, from, to, reason);
  }

  /**
   * Which servers new connections may go to: those up, with a weight above 0, of the lowest priority
   * any such server has. Backup servers (priority 1 and up) take traffic only while no server of a
   * lower priority can, one tier at a time, as HAProxy uses its first backup. Caller holds this lock;
   * servers that enter the rotation are returned, to serve acquires waiting for room.
   */
  List<ServerPool<C>> rotation() {
    int tier = Integer.MAX_VALUE;
    for (ServerPool<C> sp : engine.servers()) {
      if (sp.state == ServerState.UP && sp.endpoint.weight() > 0) {
        tier = Math.min(tier, sp.endpoint.priority());
      }
    }
    List<ServerPool<C>> entered = new ArrayList<>();
    for (ServerPool<C> sp : engine.servers()) {
      boolean in = sp.state == ServerState.UP && sp.endpoint.weight() > 0 && sp.endpoint.priority() == tier;
      if (in && !sp.balanced) {
        entered.add(sp);
      }
      sp.balanced = in;
    }
    return entered;
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
        sp.health = Health.DOWN;
        sp.checker.reset();
      }
      sp.admin = admin;
      from = sp.state;
      to = effective(sp);
      sp.state = to;
      rotation();
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
      setHealth(sp, Health.DOWN, n + " consecutive connect failures or resets observed (error-limit " + errorLimit + ")");
    }
  }

  private static ServerState effective(ServerPool<?> sp) {
    if (sp.admin == ServerPool.Admin.MAINT) {
      return ServerState.MAINT;
    }
    if (sp.admin == ServerPool.Admin.DRAIN) {
      return ServerState.DRAIN;
    }
    switch (sp.health) {
      case UP:
        return ServerState.UP;
      case NOLB:
        return ServerState.DRAIN;
      default:
        return ServerState.DOWN;
    }
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
    List<ServerPool<C>> entered;
    synchronized (this) {
      if (sp.state != to) {
        return; // overtaken by a later change, which applies its own effects
      }
      sp.releaseMode = closeIdle ? ServerPool.CLOSE_DOWN : ServerPool.REUSE;
      entered = rotation();
    }
    for (ServerPool<C> e : entered) {
      engine.serverUp(e); // a backup that took over, or this server: waiting acquires may use it
    }
    if (to == ServerState.UP) {
      engine.serverUp(sp);
      if (!sp.endpoint.backup() && onMarkedUp == io.tether.pool.OnMarkedUp.SHUTDOWN_BACKUP_SESSIONS) {
        shutDownBackups(sp);
      }
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

  /** on-marked-up shutdown-backup-sessions: an active server is up, so sessions leave the backups. */
  private void shutDownBackups(ServerPool<C> up) {
    EndpointDownException why = new EndpointDownException(engine.name, null,
        up.endpoint.name() + " is up (on-marked-up shutdown-backup-sessions)");
    for (ServerPool<C> b : engine.servers()) {
      if (!b.endpoint.backup()) {
        continue;
      }
      List<PooledConnection<C>> out = new ArrayList<>();
      b.closeAllIdle(CloseCause.ENDPOINT_DOWN, out);
      b.closeAllLeased(CloseCause.ENDPOINT_DOWN, out);
      for (PooledConnection<C> c : out) {
        engine.finishClose(c, why);
      }
    }
  }
}
