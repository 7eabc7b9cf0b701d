package io.tether.pool.internal;

import io.tether.pool.Endpoint;
import io.tether.pool.MembershipChange;
import io.tether.pool.PoolClosedException;
import io.tether.pool.ReuseOrder;
import io.tether.pool.ServerState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Changes to the pool's servers at runtime: add, remove (a drain that ends when the last connection
 * closes), re-weight, and a whole set pushed by a membership source. Changes are serialized here; each
 * publishes a new server array ({@link Membership}), so the lease path reads servers with one volatile
 * load and never waits for a change. Weights in force, with the {@code slow-start} ramp, come from
 * {@link #weightOf}.
 */
final class Servers<C> {
  static final int MAX_WEIGHT = 256;

  private final PoolEngine<C> engine;

  Servers(PoolEngine<C> engine) {
    this.engine = engine;
  }

  /** The weight new connections see: 0 while being removed, ramped up during slow start. */
  int weightOf(ServerPool<?> sp) {
    if (sp.health.removing) {
      return 0;
    }
    int w = sp.weight;
    long until = sp.rampUntil;
    if (until == 0 || w == 0) {
      return w;
    }
    long now = engine.ticker.read();
    long ramp = engine.config.slowStart().toNanos();
    if (now >= until || ramp == 0) {
      sp.rampUntil = 0; // benign race: another reader may still scale once more
      return w;
    }
    // HAProxy's slowstart: the weight grows linearly from the moment the server came up.
    long elapsed = ramp - (until - now);
    return (int) Math.max(1, (w * elapsed + ramp - 1) / ramp);
  }

  /** Starts slow start for a server that just joined or came back up. */
  void rampUp(ServerPool<?> sp) {
    long ramp = engine.config.slowStart().toNanos();
    if (ramp > 0) {
      sp.rampUntil = engine.ticker.read() + ramp;
    }
  }

  synchronized void add(Endpoint e) {
    if (engine.isClosed()) {
      throw new PoolClosedException(engine.name);
    }
    ServerPool<C> old = engine.members.get(e.name());
    if (old != null) {
      throw new IllegalArgumentException("pool " + engine.name + ": a server named " + e.name()
          + (old.health.removing ? " is still leaving the pool" : " is already in the pool"));
    }
    admit(List.of(e));
  }

  synchronized CompletableFuture<Void> remove(String name) {
    ServerPool<C> sp = find(name);
    if (sp.health.removed != null) {
      return sp.health.removed; // already leaving
    }
    CompletableFuture<Void> removed = new CompletableFuture<>();
    sp.health.removed = removed;
    dismiss(List.of(sp)); // with no connection at all it leaves now
    return removed;
  }

  synchronized void setWeight(String name, int weight) {
    if (weight < 0 || weight > MAX_WEIGHT) {
      throw new IllegalArgumentException("weight " + weight + " (expected: 0-" + MAX_WEIGHT + ")");
    }
    ServerPool<C> sp = find(name);
    sp.weight = weight;
    engine.states.rotationChanged();
    engine.rebalancer.kick();
  }

  synchronized MembershipChange update(Collection<Endpoint> next) {
    Map<String, Endpoint> wanted = new HashMap<>();
    for (Endpoint e : next) {
      if (wanted.put(e.name(), e) != null) {
        throw new IllegalArgumentException("server " + e.name() + " is named twice");
      }
      ServerPool<C> sp = engine.members.get(e.name());
      if (sp != null && !sp.endpoint.address().equals(e.address())) {
        throw new IllegalArgumentException("server " + e.name() + " moved from " + sp.endpoint.address() + " to "
            + e.address() + ": give the new address a new name");
      }
      if (sp != null && sp.health.removing) {
        throw new IllegalArgumentException("server " + e.name() + " is still leaving the pool");
      }
    }
    if (engine.isClosed()) {
      throw new PoolClosedException(engine.name);
    }
    List<String> added = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    List<String> reweighted = new ArrayList<>();
    // Batched: one copy of the server list and one recomputation of the rotation for all the adds, one
    // for all the removals, one for the weights: the cost is O(servers + changes), not their product.
    List<ServerPool<C>> leaving = new ArrayList<>();
    for (ServerPool<C> sp : engine.members.all()) {
      if (!wanted.containsKey(sp.endpoint.name()) && !sp.health.removing) {
        sp.health.removed = new CompletableFuture<>();
        leaving.add(sp);
        removed.add(sp.endpoint.name());
      }
    }
    if (!leaving.isEmpty()) {
      dismiss(leaving);
    }
    List<Endpoint> joining = new ArrayList<>();
    boolean weightsChanged = false;
    for (Endpoint e : wanted.values()) {
      ServerPool<C> sp = engine.members.get(e.name());
      if (sp == null) {
        joining.add(e);
        added.add(e.name());
      } else if (sp.weight != e.weight()) {
        if (e.weight() < 0 || e.weight() > MAX_WEIGHT) {
          throw new IllegalArgumentException("weight " + e.weight() + " (expected: 0-" + MAX_WEIGHT + ")");
        }
        sp.weight = e.weight();
        reweighted.add(e.name());
        weightsChanged = true;
      }
    }
    if (!joining.isEmpty()) {
      admit(joining);
    }
    if (weightsChanged) {
      engine.states.rotationChanged();
      engine.rebalancer.kick();
    }
    added.sort(null);
    removed.sort(null);
    reweighted.sort(null);
    return new MembershipChange(added, removed, reweighted);
  }

  private ServerPool<C> find(String name) {
    ServerPool<C> sp = engine.members.get(name);
    if (sp == null) {
      throw new IllegalArgumentException("pool " + engine.name + " has no server named " + name);
    }
    return sp;
  }

  /**
   * Servers join at runtime, together (one copy of the server list, one recomputation of the rotation):
   * slow start, warm-up, checks, and the rebalancer told.
   */
  private void admit(List<Endpoint> es) {
    for (ServerPool<C> sp : joinAll(es, true)) {
      rampUp(sp);
      engine.connects.warmUp(sp);
    }
    engine.connects.roomAppeared();
    engine.startCheckers();
    engine.rebalancer.kick();
  }

  /** Servers start leaving together: those with no connection leave at once, the rest as theirs close. */
  private void dismiss(List<ServerPool<C>> sps) {
    serversGone(engine.states.removingAll(sps, "removed at runtime"));
  }

  /**
   * Servers join together: one copy of the server list, one recomputation of the rotation. The pool's
   * first servers join this way too, without {@code serverAdded} events ({@code announce} false): the
   * listener hears of runtime changes only.
   */
  List<ServerPool<C>> joinAll(List<Endpoint> es, boolean announce) {
    List<ServerPool<C>> sps = new ArrayList<>(es.size());
    boolean lifo = engine.config.reuseOrder() == ReuseOrder.LIFO;
    for (Endpoint e : es) {
      sps.add(new ServerPool<>(engine, e, engine.config.maxConnectionsPerServer(), lifo));
    }
    engine.members.addAll(sps);
    for (ServerPool<C> sp : sps) {
      engine.recorder.serverAdded(sp.endpoint);
      if (announce) {
        engine.listener.serverAdded(sp.endpoint);
      }
    }
    engine.states.joinedAll(sps);
    return sps;
  }

  /** Removed servers that have no connection left leave the set together (one copy of the list). */
  private void serversGone(java.util.Set<ServerPool<C>> candidates) {
    java.util.Set<ServerPool<C>> gone = new java.util.HashSet<>();
    for (ServerPool<C> sp : candidates) {
      if (sp.health.removing && sp.totalLocked() == 0 && engine.members.get(sp.endpoint.name()) == sp) {
        gone.add(sp);
      }
    }
    for (ServerPool<C> sp : engine.members.dropAll(gone)) {
      left(sp);
    }
  }

  /** A removed server was just dropped from the set: its checker stops, meters and listeners hear of it. */
  /** A server came (back) into the rotation: waiting acquires may use it. */
  void up(ServerPool<C> sp) {
    engine.waiting.dispatch();
    engine.connects.capacityFreed();
    engine.connects.warmUp(sp);
    engine.rebalancer.kick();
  }

  /** A server left the rotation: acquires waiting for it move on or fail. */
  void outOfRotation(ServerPool<C> sp, io.tether.pool.EndpointDownException why) {
    engine.waiting.serverLeft(sp, why);
    maybeGone(sp);
  }

  /** A server being removed leaves the set when its last connection is gone. */
  void maybeGone(ServerPool<C> sp) {
    if (sp.health.removing && sp.totalLocked() == 0 && engine.members.drop(sp)) {
      left(sp);
    }
  }

  void left(ServerPool<C> sp) {
    HealthChecker<C> checker = sp.health.checker;
    if (checker != null) {
      checker.stop();
    }
    engine.recorder.serverRemoved(sp.endpoint);
    engine.listener.stateChanged(sp.endpoint, ServerState.DRAIN, ServerState.MAINT, "removed from the pool");
    engine.listener.serverRemoved(sp.endpoint);
    CompletableFuture<Void> f = sp.health.removed;
    if (f != null) {
      f.complete(null);
    }
  }
}
