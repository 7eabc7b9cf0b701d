package io.tether.pool.internal;

import io.tether.pool.CloseCause;
import io.tether.pool.EndpointDownException;
import io.tether.pool.OnMarkedDown;
import io.tether.pool.OnMarkedUp;
import io.tether.pool.ServerState;
import java.util.ArrayList;
import java.util.List;

/**
 * Each server's state, from its health inputs ({@link ServerHealth}: checks and observed errors, and the
 * administrative state set at runtime). A change to DOWN, DRAIN or MAINT applies {@code on-marked-down}
 * to its connections and moves or fails the acquires waiting for it; a change back to UP lets it take
 * leases again (and, with {@code on-marked-up shutdown-backup-sessions}, closes the backups' sessions).
 * Every change recomputes the rotation: which servers new connections may go to.
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
  private volatile OnMarkedUp onMarkedUp;
  private volatile boolean observe;
  private volatile int errorLimit;

  ServerStates(PoolEngine<C> engine, OnMarkedDown onMarkedDown, OnMarkedUp onMarkedUp, boolean observe,
      int errorLimit) {
    this.engine = engine;
    configure(onMarkedDown, onMarkedUp, observe, errorLimit);
  }

  /** New settings from a live reconfiguration; applied to the next transition. */
  void configure(OnMarkedDown onMarkedDown, OnMarkedUp onMarkedUp, boolean observe, int errorLimit) {
    this.onMarkedDown = onMarkedDown;
    this.onMarkedUp = onMarkedUp;
    this.observe = observe;
    this.errorLimit = errorLimit;
  }

  /** Servers join together: their configured states, and one recomputation of the rotation. */
  void joinedAll(List<ServerPool<C>> sps) {
    synchronized (this) {
      for (ServerPool<C> sp : sps) {
        if (sp.endpoint.disabled()) {
          sp.health.admin = ServerHealth.Admin.MAINT;
          sp.state = ServerState.MAINT;
          sp.releaseMode = ServerPool.CLOSE_DOWN;
        }
      }
    }
    rotationChanged();
  }

  /**
   * Several removals at once (a membership source's update): flags set and the rotation recomputed once,
   * then each server's idle connections closed and its waiting acquires moved or failed; servers left
   * with no connection are returned, for the caller to drop from the pool together.
   */
  java.util.Set<ServerPool<C>> removingAll(List<ServerPool<C>> sps, String reason) {
    List<ServerState> from = new ArrayList<>();
    List<ServerPool<C>> entered;
    boolean closed = engine.isClosed();
    synchronized (this) {
      for (ServerPool<C> sp : sps) {
        sp.health.removing = true;
        sp.health.admin = ServerHealth.Admin.DRAIN;
        from.add(sp.state);
        sp.state = ServerState.DRAIN;
        if (!closed) { // a closing pool's own release mode (close at release, as pool-closed) stands
          sp.releaseMode = ServerPool.CLOSE_DOWN;
        }
      }
      entered = rotation();
    }
    for (ServerPool<C> e : entered) {
      engine.servers.up(e);
    }
    java.util.Set<ServerPool<C>> empty = new java.util.HashSet<>();
    for (int i = 0; i < sps.size(); i++) {
      ServerPool<C> sp = sps.get(i);
      if (from.get(i) != ServerState.DRAIN) {
        engine.listener.stateChanged(sp.endpoint, from.get(i), ServerState.DRAIN, reason);
        engine.recorder.recordStateChange(sp.endpoint, from.get(i), ServerState.DRAIN);
      }
      if (closed) {
        continue; // closing the pool closes its connections and fails its waiters
      }
      List<PooledConnection<C>> out = new ArrayList<>();
      sp.closeAllIdle(CloseCause.ENDPOINT_DOWN, out);
      EndpointDownException why = new EndpointDownException(engine.name, sp.endpoint.name(), reason);
      for (PooledConnection<C> c : out) {
        engine.finishClose(c, why);
      }
      engine.waiting.serverLeft(sp, why);
      if (sp.totalLocked() == 0) {
        empty.add(sp);
      }
    }
    return empty;
  }

  /** A server joins: its configured state ({@code disabled}: maintenance) and its place in the rotation. */
  /**
   * Starts a checker for every checked server that has none. The first checks are spread over one
   * interval by the server's position, as HAProxy's {@code start_check_task} does.
   */
  void startCheckers(io.tether.pool.HealthCheck hc, io.tether.pool.spi.HealthProbe probe) {
    long inter = hc.inter().toNanos();
    ServerPool<C>[] all = engine.members.all();
    int n = 0;
    for (ServerPool<C> sp : all) {
      n += sp.endpoint.checked() ? 1 : 0;
    }
    int pos = 0;
    for (ServerPool<C> sp : all) {
      if (!sp.endpoint.checked() || sp.health.checker != null) {
        continue;
      }
      HealthChecker<C> checker = new HealthChecker<>(engine, sp, probe, hc);
      sp.health.checker = checker;
      checker.start(inter * pos++ / Math.max(1, n));
    }
  }

  /**
   * New check settings on a live pool: running checkers take them; checks turned off stop and leave
   * their servers up; checks turned on start as they do for a new pool.
   */
  void reconfigureCheckers(io.tether.pool.HealthCheck next, io.tether.pool.spi.HealthProbe probe) {
    for (ServerPool<C> sp : engine.members.all()) {
      HealthChecker<C> checker = sp.health.checker;
      if (next.enabled()) {
        if (checker != null) {
          checker.configure(next);
        }
      } else if (checker != null) {
        checker.stop();
        sp.health.checker = null;
        setHealth(sp, Health.UP, "health checks turned off");
      }
    }
    if (next.enabled()) {
      startCheckers(next, probe); // for servers that had none: they start as HAProxy's do
    }
  }

  void setHealth(ServerPool<C> sp, Health health, String reason) {
    ServerState from;
    ServerState to;
    synchronized (this) {
      if (sp.health.checks == health) {
        return;
      }
      sp.health.checks = health;
      sp.health.observedErrors = 0;
      from = sp.state;
      to = effective(sp);
      sp.state = to;
    }
    changed(sp, from, to, reason);
  }

  /** The runtime call: UP clears drain or maintenance; DRAIN and MAINT set them. */
  void setAdmin(ServerPool<C> sp, ServerState requested) {
    ServerHealth.Admin admin;
    switch (requested) {
      case UP:
        admin = ServerHealth.Admin.READY;
        break;
      case DRAIN:
        admin = ServerHealth.Admin.DRAIN;
        break;
      case MAINT:
        admin = ServerHealth.Admin.MAINT;
        break;
      default:
        throw new IllegalArgumentException(
            "a server can be set to UP (ready), DRAIN or MAINT; DOWN is decided by its health checks");
    }
    ServerState from;
    ServerState to;
    synchronized (this) {
      if (sp.health.removing) {
        throw new IllegalArgumentException("server " + sp.endpoint.name() + " is being removed");
      }
      if (sp.health.admin == admin) {
        return;
      }
      HealthChecker<C> checker = sp.health.checker;
      if (sp.health.admin == ServerHealth.Admin.MAINT && admin == ServerHealth.Admin.READY && checker != null) {
        // Back from maintenance, a checked server proves itself with `rise` checks first.
        sp.health.checks = Health.DOWN;
        checker.reset();
      }
      sp.health.admin = admin;
      from = sp.state;
      to = effective(sp);
      sp.state = to;
    }
    changed(sp, from, to, "set to " + requested + " at runtime");
  }

  /**
   * Whether traffic counts toward {@code error-limit}. The release path asks this before it reads the
   * server's health record, so a pool that does not observe never touches that record on a release.
   */
  boolean observing() {
    return observe;
  }

  /** A connect or a leased connection failed ({@code ok} false), or succeeded. */
  void observe(ServerPool<C> sp, boolean ok) {
    if (!observe || sp.health.checker == null) {
      return; // without checks nothing would ever bring the server back up
    }
    if (ok) {
      if (sp.health.observedErrors != 0) {
        synchronized (this) {
          sp.health.observedErrors = 0;
        }
      }
      return;
    }
    int n;
    synchronized (this) {
      n = ++sp.health.observedErrors;
    }
    if (n >= errorLimit) {
      setHealth(sp, Health.DOWN, n + " consecutive connect failures or resets observed (error-limit " + errorLimit + ")");
    }
  }

  private static ServerState effective(ServerPool<?> sp) {
    ServerHealth<?> h = sp.health;
    if (h.admin == ServerHealth.Admin.MAINT) {
      return ServerState.MAINT;
    }
    if (h.admin == ServerHealth.Admin.DRAIN) {
      return ServerState.DRAIN;
    }
    switch (h.checks) {
      case UP:
        return ServerState.UP;
      case NOLB:
        return ServerState.DRAIN;
      default:
        return ServerState.DOWN;
    }
  }

  /**
   * Which servers new connections may go to: those up, with a weight above 0, of the lowest priority
   * any such server has. Backup servers (priority 1 and up) take traffic only while no server of a
   * lower priority can, one tier at a time, as HAProxy uses its first backup. Caller holds this lock;
   * the servers that entered the rotation are returned, to serve acquires waiting for room.
   */
  private List<ServerPool<C>> rotation() {
    ServerPool<C>[] all = engine.members.all();
    int tier = Integer.MAX_VALUE;
    for (ServerPool<C> sp : all) {
      if (sp.state == ServerState.UP && engine.weightOf(sp) > 0) {
        tier = Math.min(tier, sp.endpoint.priority());
      }
    }
    List<ServerPool<C>> entered = new ArrayList<>();
    for (ServerPool<C> sp : all) {
      boolean in = sp.state == ServerState.UP && engine.weightOf(sp) > 0 && sp.endpoint.priority() == tier;
      if (in && !sp.balanced) {
        entered.add(sp);
      }
      sp.balanced = in;
    }
    return entered;
  }

  /** Recomputes the rotation after a change of membership or weight; serves waiters it lets in. */
  void rotationChanged() {
    List<ServerPool<C>> entered;
    synchronized (this) {
      entered = rotation();
    }
    for (ServerPool<C> e : entered) {
      engine.servers.up(e);
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
      engine.servers.up(e); // a backup that took over, or this server: waiting acquires may use it
    }
    if (to == ServerState.UP) {
      engine.servers.rampUp(sp); // slow start after coming back, as HAProxy's slowstart
      engine.servers.up(sp);
      if (!sp.endpoint.backup() && onMarkedUp == OnMarkedUp.SHUTDOWN_BACKUP_SESSIONS) {
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
    engine.servers.outOfRotation(sp, why);
  }

  /** on-marked-up shutdown-backup-sessions: an active server is up, so sessions leave the backups. */
  private void shutDownBackups(ServerPool<C> up) {
    EndpointDownException why = new EndpointDownException(engine.name, null,
        up.endpoint.name() + " is up (on-marked-up shutdown-backup-sessions)");
    for (ServerPool<C> b : engine.members.all()) {
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
