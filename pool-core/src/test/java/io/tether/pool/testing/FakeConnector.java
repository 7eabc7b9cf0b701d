package io.tether.pool.testing;

import io.tether.pool.CloseCause;
import io.tether.pool.spi.ConnectionSignals;
import io.tether.pool.spi.Connector;
import io.tether.pool.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An in-memory {@link Connector}. Connects complete at once, or stay pending until {@link
 * #completePending} when {@link #manualConnects} is set. Records every connection and every close.
 *
 * <p>pool-bench's engine benchmarks (B1, B2, B3) lease through this connector: whatever runs per lease
 * here ({@link #leased}, {@link #isAlive}) is in their figures, so it touches only the connection's own
 * fields, never state shared by all leases.
 */
public final class FakeConnector implements Connector<FakeConnector.Conn> {

  /** A fake connection: an id, its endpoint, its pool signals, and whether it was closed and why. */
  public static final class Conn {
    public final int id;
    public final Endpoint endpoint;
    public final ConnectionSignals signals;
    public volatile boolean alive = true;
    public volatile CloseCause closedWith;
    public final AtomicInteger closeCalls = new AtomicInteger();
    /**
     * Leases the pool told the connector of. A plain field, written by the holder: one holder at a time,
     * ordered by the pool's own state change. Not one counter for the connector: an atomic shared by
     * every lease made the pool-bench's 8-thread runs (which use this connector) measure its contention,
     * 4x the engine's own cost.
     */
    public int leases;
    /** Where it was closed, for diagnosing a test failure. */
    public volatile Throwable closedAt;

    Conn(int id, Endpoint endpoint, ConnectionSignals signals) {
      this.id = id;
      this.endpoint = endpoint;
      this.signals = signals;
    }

    @Override
    public String toString() {
      return "conn" + id + "@" + endpoint.name();
    }
  }

  private static final class Pending {
    final Endpoint endpoint;
    final ConnectionSignals signals;
    final CompletableFuture<Conn> future;

    Pending(Endpoint endpoint, ConnectionSignals signals, CompletableFuture<Conn> future) {
      this.endpoint = endpoint;
      this.signals = signals;
      this.future = future;
    }
  }

  private final AtomicInteger ids = new AtomicInteger();
  private final boolean tracksActivity;
  public volatile boolean manualConnects;
  /** Servers whose connects fail (by name). */
  public final List<String> refusing = new CopyOnWriteArrayList<>();
  public final Queue<Conn> opened = new ConcurrentLinkedQueue<>();
  public final Queue<Conn> closed = new ConcurrentLinkedQueue<>();
  private final java.util.Set<Conn> openNow = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final Queue<Pending> pending = new ConcurrentLinkedQueue<>();
  public final AtomicInteger connectCalls = new AtomicInteger();
  /** Called on every close, before it is recorded; tests use it to catch closes that must not happen. */
  public volatile java.util.function.BiConsumer<Conn, CloseCause> onClose = (c, cause) -> {};

  public FakeConnector() {
    this(false);
  }

  public FakeConnector(boolean tracksActivity) {
    this.tracksActivity = tracksActivity;
  }

  @Override
  public CompletionStage<Conn> connect(Endpoint endpoint, Duration connectTimeout, ConnectionSignals signals) {
    connectCalls.incrementAndGet();
    CompletableFuture<Conn> f = new CompletableFuture<>();
    if (manualConnects) {
      pending.add(new Pending(endpoint, signals, f));
      return f;
    }
    finish(new Pending(endpoint, signals, f), true);
    return f;
  }

  private void finish(Pending p, boolean success) {
    if (!success || refusing.contains(p.endpoint.name())) {
      p.future.completeExceptionally(new java.net.ConnectException("Connection refused: " + p.endpoint.address()));
      return;
    }
    Conn c = new Conn(ids.incrementAndGet(), p.endpoint, p.signals);
    opened.add(c);
    openNow.add(c);
    p.future.complete(c);
  }

  /** Completes up to {@code n} pending connects, successfully unless {@code fail} says otherwise. */
  public int completePending(int n, Predicate<Endpoint> fail) {
    int done = 0;
    Pending p;
    while (done < n && (p = pending.poll()) != null) {
      finish(p, !fail.test(p.endpoint));
      done++;
    }
    return done;
  }

  /** The signals of the oldest connect still pending: the transport's line back before it completes. */
  public ConnectionSignals pendingSignals() {
    return pending.peek().signals;
  }

  public int pendingConnects() {
    return pending.size();
  }

  @Override
  public java.util.concurrent.CompletionStage<Void> close(Conn connection, CloseCause cause) {
    onClose.accept(connection, cause);
    if (connection.closeCalls.incrementAndGet() == 1) {
      connection.closedAt = new Throwable("closed as " + cause + " on " + Thread.currentThread().getName());
      connection.closedWith = cause;
      connection.alive = false;
      openNow.remove(connection);
      closed.add(connection);
    }
    return closeCompletion.apply(connection);
  }

  /**
   * How each close completes; by default at once. A test sets it to hold closes open, as a transport
   * whose close has not finished yet.
   */
  public volatile java.util.function.Function<Conn, java.util.concurrent.CompletionStage<Void>> closeCompletion =
      c -> java.util.concurrent.CompletableFuture.completedFuture(null);

  @Override
  public boolean isAlive(Conn connection) {
    return connection.alive;
  }

  /** Calls of {@link #leased} over every connection opened: one per lease, whichever way it was acquired. */
  public int leasedCalls() {
    return opened.stream().mapToInt(c -> c.leases).sum();
  }

  @Override
  public void leased(Conn connection) {
    connection.leases++;
  }

  /** What {@link #onTransportThread()} answers: a test plays the part of an I/O thread with it. */
  public volatile boolean transportThread;

  @Override
  public boolean onTransportThread() {
    return transportThread;
  }

  @Override
  public boolean tracksActivity() {
    return tracksActivity;
  }

  /** Connections opened and not yet closed. */
  public List<Conn> open() {
    List<Conn> out = new ArrayList<>(openNow);
    out.sort(java.util.Comparator.comparingInt(c -> c.id)); // in opening order: a seeded run replays
    return out;
  }

  public long closedWith(CloseCause cause) {
    return closed.stream().filter(c -> c.closedWith == cause).count();
  }
}
