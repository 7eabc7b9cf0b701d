package io.tether.pool.internal;

import io.tether.pool.Endpoint;
import io.tether.pool.spi.ConnectionSignals;
import io.tether.pool.spi.Pooled;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;

/**
 * One pooled connection: the transport's connection, its state machine, its deadlines, and the
 * intrusive links of the containers it sits in. It is the {@link ConnectionSignals} handed to the
 * transport and the {@link Pooled} handed to adapters that lease without a {@code Lease}; users of the
 * core API get a {@link LeaseHandle} per lease instead, which expires when released.
 *
 * <p>State machine, every arrow a CAS ({@link ConnectionState} lists them and checks each move):
 *
 * <pre>
 *   NEW        -> LEASED       connected, for the acquire that opened it
 *   NEW        -> CLOSED       connected after the pool or its server stopped taking connections
 *   IDLE       -> LEASED       acquired from the deque
 *   IDLE       -> LEASED_HOT   acquired from a hot slot, which keeps pointing at it
 *   LEASED_HOT -> LEASED       another connection took over the slot
 *   LEASED     -> IDLE         released and linked into a slot or the deque
 *   LEASED_HOT -> IDLE         released; nothing to link, the slot still points at it
 *   IDLE, LEASED, LEASED_HOT -> CLOSING -> CLOSED
 * </pre>
 *
 * IDLE and the two leased states flip lock-free on the hot path; every move to CLOSING happens under the
 * server's lock together with the bookkeeping (counts, unlinking), so a snapshot taken under that lock
 * is exact. The sweep can only close what it moved out of IDLE by CAS, so it never closes a leased
 * connection, and an acquire can only lease what it moved out of IDLE, so it never gets a closing one.
 *
 * <p>LEASED_HOT is a lease whose hot slot still points at the connection: leasing from a slot does not
 * empty it and releasing does not refill it, which halves the atomic operations of a lease and release
 * (one CAS each). Whoever puts another connection into that slot first moves the old one to LEASED, so
 * its holder knows to link it again on release; see {@link ServerPool#linkIdle}.
 */
final class PooledConnection<C> implements ConnectionSignals, Pooled<C> {
  static final int NEW = ConnectionState.NEW;
  static final int IDLE = ConnectionState.IDLE;
  static final int LEASED = ConnectionState.LEASED;
  /** Leased, and its hot slot still points at it. Ordered below CLOSING: {@code >= CLOSING} means gone. */
  static final int LEASED_HOT = ConnectionState.LEASED_HOT;
  static final int CLOSING = ConnectionState.CLOSING;
  static final int CLOSED = ConnectionState.CLOSED;

  static boolean leased(int s) {
    return s == LEASED || s == LEASED_HOT;
  }

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(PooledConnection.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final ServerPool<C> server;
  private C connection;
  private volatile int state = NEW;

  /** Ticker time of the last byte in or out (or of the last release, for transports that don't say). */
  volatile long lastActivity;

  /** Idle time allowed before eviction: jittered evict-after minus the hand-out margin. */
  long idleBudget;

  /** Whether it was ever leased; until then {@link #idleBudget} is the shorter never-used one. */
  boolean used;

  /** When this connection, idle since lastActivity, must be gone. Set before it is linked idle. */
  long evictAt;

  long openedAt;

  /** Whether it has been idle at least once (so an idle age at lease means something). */
  boolean reused;

  /** Its jittered lifetime's end, or {@code Long.MAX_VALUE}; never handed out within the margin of it. */
  long lifetimeDeadline = Long.MAX_VALUE;

  /** Set by the sweep on a leased connection past its lifetime: close on release. */
  volatile io.tether.pool.CloseCause retire;

  private volatile int peerClosedWhileConnecting;

  /** Set with the move to CLOSING, under the server lock. */
  io.tether.pool.CloseCause closeCause;

  volatile boolean closedWhileLeased;

  private static final VarHandle RELEASED_AFTER_CLOSE;

  static {
    try {
      RELEASED_AFTER_CLOSE = MethodHandles.lookup().findVarHandle(PooledConnection.class, "releasedAfterClose", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * 1 once the lease that was open when it closed has ended: its holder released it after the pool
   * closed it under them (their one release), or the holder closed it itself ({@code invalidate}).
   */
  @SuppressWarnings("unused") // through RELEASED_AFTER_CLOSE
  private volatile int releasedAfterClose;

  boolean releaseAfterClose() {
    return RELEASED_AFTER_CLOSE.compareAndSet(this, 0, 1);
  }

  /**
   * Counts leases: each lease gets the next number, and a {@link LeaseHandle} remembers its own, so a
   * handle that outlived its lease can never release the connection's next lease. Only ever grows:
   * {@link #beginLease} adds one after the leasing thread's state CAS won, and a handle's release adds
   * one by a CAS that expects its own number, so of two releases through one handle (or a release
   * racing the next lease) exactly one can match. The lease's write is a release store, not a volatile
   * one: nothing but this handle CAS races it, and on x86 a volatile store costs a fence on every lease.
   */
  @SuppressWarnings("unused") // through LEASE_NUMBER
  private long leaseNumber;

  private static final VarHandle LEASE_NUMBER;

  static {
    try {
      LEASE_NUMBER = MethodHandles.lookup().findVarHandle(PooledConnection.class, "leaseNumber", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Starts a lease: the next number, which the new lease's handle will expect. Leasing thread only. */
  long beginLease() {
    long n = (long) LEASE_NUMBER.getAcquire(this) + 1;
    LEASE_NUMBER.setRelease(this, n);
    return n;
  }

  long leaseNumber() {
    return (long) LEASE_NUMBER.getAcquire(this);
  }

  /** Ends lease {@code n} for its handle: true for exactly one caller, and only while it is current. */
  boolean endLease(long n) {
    return LEASE_NUMBER.compareAndSet(this, n, n + 1);
  }

  // Container links. slot is written by the releaser before it links into a hot slot, and may go stale
  // (every slot update is a CAS that expects this connection); the rest only under the server lock.
  int slot = -1;
  boolean inDeque;
  PooledConnection<?> prevIdle;
  PooledConnection<?> nextIdle;
  int heapIndex = -1;
  boolean inList;
  PooledConnection<?> prevAll;
  PooledConnection<?> nextAll;

  // Leak detection, only used when a threshold is set: written by the acquirer, read by the scan.
  volatile long leasedAt;
  volatile Throwable acquireSite;
  boolean leakReported; // guarded by the server lock

  /** This connection's uniform draws for the idle and lifetime jitter, kept for reconfiguration. */
  final double idleDraw;
  final double lifeDraw;

  /** Idle timeout the server advertised (Keep-Alive: timeout), 0 for none. */
  long capNanos;

  PooledConnection(ServerPool<C> server, double idleDraw, double lifeDraw) {
    this.server = server;
    this.idleDraw = idleDraw;
    this.lifeDraw = lifeDraw;
  }

  int state() {
    return state;
  }

  boolean casState(int expect, int update) {
    boolean moved = STATE.compareAndSet(this, expect, update);
    assert !moved || ConnectionState.legal(expect, update) : ConnectionState.name(expect) + " -> " + ConnectionState.name(update);
    return moved;
  }

  void setState(int update) {
    assert ConnectionState.legal(state, update) : ConnectionState.name(state) + " -> " + ConnectionState.name(update);
    state = update;
  }

  /** Publishes the open connection; called once, before the state leaves NEW. */
  void opened(C conn, long now, long lifetimeDeadline) {
    this.connection = conn;
    this.openedAt = now;
    this.lastActivity = now;
    this.lifetimeDeadline = lifetimeDeadline;
  }

  /** 1 = FIN, 2 = RST, seen before the connect completed. */
  int peerClosedWhileConnecting() {
    return peerClosedWhileConnecting;
  }

  // --- Pooled ---

  @Override
  public C connection() {
    return connection;
  }

  @Override
  public Endpoint endpoint() {
    return server.endpoint;
  }

  @Override
  public void capIdleTime(Duration idleTimeout) {
    long cap = idleTimeout.toNanos();
    if (cap > 0 && (capNanos == 0 || cap < capNanos)) {
      capNanos = cap;
      idleBudget = server.engine.deadlines.idleBudget(idleDraw, capNanos, used);
    }
  }

  // --- ConnectionSignals ---

  @Override
  public void activity() {
    lastActivity = server.engine.ticker.read();
  }

  @Override
  public void closedByPeer(boolean reset) {
    if (state == NEW) {
      peerClosedWhileConnecting = reset ? 2 : 1;
    }
    server.engine.closing.peerClosed(this, reset);
  }

  @Override
  public void closedLocally() {
    server.engine.closing.closedLocally(this);
  }

  @Override
  public boolean closedWhileLeased() {
    return closedWhileLeased;
  }

  @Override
  public boolean isIdle() {
    return state == IDLE;
  }

  @Override
  public boolean isLeased() {
    return leased(state);
  }

  @Override
  public boolean awaitsRelease() {
    int s = state;
    return leased(s) || (s >= CLOSING && closedWhileLeased && (int) RELEASED_AFTER_CLOSE.getVolatile(this) == 0);
  }

  @Override
  public String toString() {
    return "PooledConnection{" + server.endpoint.name() + ", " + ConnectionState.name(state) + ", " + connection + "}";
  }
}
