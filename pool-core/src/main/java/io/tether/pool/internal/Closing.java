package io.tether.pool.internal;

import io.tether.pool.CloseCause;
import io.tether.pool.PoolConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How connections and the pool end. {@link #finish} is the I/O half of every connection's close, run
 * after the connection's state was claimed and outside every lock: the transport close, the report, the
 * room freed. {@link #closeAsync} ends the pool: waiting acquires fail, idle connections close now,
 * leased ones as they are released (or when close-timeout runs out), and the future completes once no
 * connection is open, connecting or still closing in the transport. Owns the count of transport closes
 * in flight, which nothing else writes.
 */
final class Closing<C> {
  private final PoolEngine<C> engine;
  final CompletableFuture<Void> future = new CompletableFuture<>();
  /** The closes of the connections that were idle when the pool closed; null while open. */
  private volatile CompletableFuture<Void> idleClosed;
  /** Connections whose transport close was asked for and has not completed yet. */
  private final AtomicInteger transportCloses = new AtomicInteger();

  Closing(PoolEngine<C> engine) {
    this.engine = engine;
  }

  /** The I/O half of a close; {@code closes} (if not null) collects the transport's close of it. */
  void finish(PooledConnection<C> c, Throwable detail, List<CompletableFuture<Void>> closes) {
    CloseCause cause = c.closeCause;
    CompletableFuture<Void> done = closeTransport(c.connection(), cause);
    if (closes != null) {
      closes.add(done);
    }
    c.setState(PooledConnection.CLOSED);
    engine.recorder.recordClose(c.server.endpoint, cause, engine.ticker.read() - c.openedAt, c.closedWhileLeased);
    engine.listener.closed(c.server.endpoint, cause, detail);
    engine.servers.maybeGone(c.server);
    engine.connects.capacityFreed();
    engine.connects.warmUp(c.server);
    check();
  }

  /** Closes a connection claimed from the idle set that turned out unusable. */
  void discardLeased(PooledConnection<C> c, long now) {
    CloseCause cause;
    if (!engine.connector.isAlive(c.connection())) {
      cause = CloseCause.PEER_CLOSED;
    } else if (c.lifetimeDeadline - engine.deadlines.handoutMarginNanos() <= now) {
      cause = CloseCause.LIFETIME_EXPIRED;
    } else {
      cause = CloseCause.IDLE_EVICTED;
    }
    if (c.server.beginCloseLeased(c, cause)) {
      finish(c, null, null);
    }
  }

  /** The transport saw the peer close (or reset) the connection. */
  void peerClosed(PooledConnection<C> c, boolean reset) {
    if (c.state() == PooledConnection.NEW) {
      return; // seen by the connect's completion
    }
    boolean wasLeased = PooledConnection.leased(c.state());
    if (c.server.beginCloseOpen(c, reset ? CloseCause.PEER_RESET : CloseCause.PEER_CLOSED)) {
      finish(c, null, null);
      if (reset && wasLeased) {
        engine.states.observe(c.server, false);
      }
    }
  }

  /** The connection was closed on this side, not by the pool (its holder closed it, say). */
  void closedLocally(PooledConnection<C> c) {
    if (c.state() == PooledConnection.NEW) {
      return; // the connect fails or the connection is found dead at once
    }
    if (c.server.beginCloseOpen(c, CloseCause.BROKEN)) {
      finish(c, null, null);
    }
  }

  /** Asks the transport to close {@code conn}; {@link #closeAsync} waits until every such close completed. */
  CompletableFuture<Void> closeTransport(C conn, CloseCause cause) {
    transportCloses.incrementAndGet();
    CompletionStage<Void> done;
    try {
      done = engine.connector.close(conn, cause);
    } catch (RuntimeException e) {
      done = CompletableFuture.completedFuture(null); // the contract forbids throwing; count it closed
    }
    CompletableFuture<Void> closed = new CompletableFuture<>();
    done.whenComplete((v, e) -> {
      transportCloses.decrementAndGet();
      check();
      closed.complete(null);
    });
    return closed;
  }

  CompletableFuture<Void> closeAsync() {
    synchronized (engine) { // the engine's monitor: a reconfigure never runs on a pool closing under it
      if (engine.closed) {
        return future;
      }
      engine.closed = true;
    }
    for (ServerPool<C> sp : engine.members.all()) {
      sp.releaseMode = ServerPool.CLOSE_POOL;
    }
    engine.waiting.closeAll();
    idleClosed = closeIdle(CloseCause.POOL_CLOSED);
    engine.tasks.closing();
    PoolConfig config = engine.config;
    if (!check() && !config.closeTimeout().equals(PoolConfig.NO_LIMIT)) {
      engine.tasks.schedule(this::forceCloseLeased, config.closeTimeout().toNanos(), true,
          rejected -> forceCloseLeased());
    }
    return future;
  }

  /** Closes every idle connection now; completes when the transport closed them all. */
  private CompletableFuture<Void> closeIdle(CloseCause cause) {
    List<PooledConnection<C>> out = new ArrayList<>();
    for (ServerPool<C> sp : engine.members.all()) {
      sp.closeAllIdle(cause, out);
    }
    List<CompletableFuture<Void>> closes = new ArrayList<>(out.size());
    out.forEach(c -> finish(c, null, closes));
    return CompletableFuture.allOf(closes.toArray(new CompletableFuture<?>[0]));
  }

  /** The idle closes of the pool's close, or, on an open pool, a close of every idle connection now. */
  CompletableFuture<Void> closeIdle() {
    CompletableFuture<Void> f = idleClosed;
    return f != null ? f : closeIdle(CloseCause.IDLE_EVICTED);
  }

  private void forceCloseLeased() {
    List<PooledConnection<C>> out = new ArrayList<>();
    for (ServerPool<C> sp : engine.members.all()) {
      sp.closeAllLeased(CloseCause.POOL_CLOSED, out);
    }
    out.forEach(c -> finish(c, null, null));
    check();
  }

  /** Completes the close future once nothing is open, connecting or still closing in the transport. */
  boolean check() {
    if (!engine.closed || future.isDone()) {
      return future.isDone();
    }
    for (ServerPool<C> sp : engine.members.all()) {
      if (sp.totalLocked() != 0) {
        return false;
      }
    }
    if (transportCloses.get() != 0) {
      return false;
    }
    engine.tasks.cancelAll();
    engine.recorder.poolClosed();
    future.complete(null);
    return true;
  }

  /** {@link #closeAsync()}, then waits for it, at most close-timeout plus 5 s. */
  void close() {
    CompletableFuture<Void> f = closeAsync();
    if (f.isDone()) {
      return;
    }
    String name = engine.name;
    if (engine.connector.onTransportThread() && engine.stats().leased() > 0) {
      throw new IllegalStateException("pool " + name + ": close() on an I/O thread with leased connections would "
          + "wait for releases that can only run on such a thread; use closeAsync()");
    }
    PoolConfig config = engine.config;
    try {
      if (config.closeTimeout().equals(PoolConfig.NO_LIMIT)) {
        f.join();
      } else {
        f.get(config.closeTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException e) {
      throw new IllegalStateException("pool " + name + ": closing took longer than close-timeout plus 5s: the "
          + "transport did not confirm every close", e);
    } catch (ExecutionException | CompletionException e) {
      throw new IllegalStateException("pool " + name + ": close failed", e);
    }
  }
}
