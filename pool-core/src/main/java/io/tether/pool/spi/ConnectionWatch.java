package io.tether.pool.spi;

import io.tether.pool.CloseCause;
import io.tether.pool.ResponseTimeoutException;
import io.tether.pool.StaleConnectionException;
import java.time.Duration;

/**
 * What a transport adapter's first handler knows about one pooled connection, kept in one place so the
 * Netty 4 and Netty 3 adapters behave the same: whether a response is awaited, whether the request was
 * fully written, whether the peer reset or closed it, who closed it. The adapter translates its events
 * into these calls and acts on the answers.
 *
 * <p>Every method runs on the connection's I/O thread, except {@link #leased()} (called by the acquiring
 * thread before the user can write) and {@link #inactiveCause()} (read by a releasing thread).
 */
public final class ConnectionWatch {
  /** What to do with an exception the transport raised. */
  public enum Verdict {
    /** A reset of an idle connection: nobody's business; close quietly. */
    CLOSE_QUIETLY,
    /** A reset while a response was awaited: replace it with {@link #stale()} and close. */
    STALE,
    /** Anything else: pass it on unchanged. */
    PASS
  }

  private final ConnectionSignals signals;
  private final Ticker ticker;
  private final long responseTimeoutNanos;
  private final boolean requestResponse;

  private boolean awaitingResponse;
  private long awaitingSince;
  private int unfinishedWrites;
  private boolean staleReported;
  // Read by inactiveCause() from a releasing thread; written once per connection.
  private volatile boolean resetSeen;
  private volatile boolean peerGone;
  private volatile boolean closedLocally;

  /**
   * A watch for one connection.
   *
   * @param signals the pool's side of the connection
   * @param ticker the pool's clock, for the response timeout
   * @param responseTimeout how long a response may take once a request was written; zero: no limit
   * @param requestResponse whether the protocol is request/response ({@code idle-input=close}): bytes
   *     on an idle connection are a peer speaking out of turn, and a close or reset while a response is
   *     awaited makes the request stale; otherwise the protocol's own handlers see both as they are
   */
  public ConnectionWatch(ConnectionSignals signals, Ticker ticker, Duration responseTimeout,
      boolean requestResponse) {
    this.signals = signals;
    this.ticker = ticker;
    this.responseTimeoutNanos = responseTimeout.toNanos();
    this.requestResponse = requestResponse;
  }

  /** {@return the pool's side of the connection} */
  public ConnectionSignals signals() {
    return signals;
  }

  /** A new lease starts: whatever the last user left half-done is not this user's business. */
  public void leased() {
    awaitingResponse = false;
    staleReported = false;
  }

  /**
   * Bytes arrived.
   *
   * @return false if they came while the connection was idle in the pool of a request/response
   *     protocol: the peer is talking out of turn (an HTTP 408 before closing, say), its state is unknown,
   *     and the adapter must drop the message and close
   */
  public boolean read() {
    signals.activity();
    if (signals.isIdle()) {
      if (!requestResponse) {
        return true; // a heartbeat or a push: the protocol's business
      }
      peerGone = true;
      return false;
    }
    awaitingResponse = false;
    return true;
  }

  /**
   * A write was requested.
   *
   * @param timerRunning whether the adapter's response timer is already scheduled
   * @return the delay in nanoseconds after which the adapter should call {@link #responseTimerFired()},
   *     or -1 if no timer is needed (no response timeout, or one already runs)
   */
  public long write(boolean timerRunning) {
    signals.activity();
    unfinishedWrites++;
    if (!awaitingResponse) {
      awaitingResponse = true;
      if (responseTimeoutNanos > 0) {
        awaitingSince = ticker.read();
        return timerRunning ? -1 : responseTimeoutNanos;
      }
    }
    return -1;
  }

  /** A write finished, successfully or not. */
  public void writeDone() {
    unfinishedWrites--;
  }

  /**
   * Classifies an exception the transport raised.
   *
   * @param cause the exception
   * @return what the adapter should do with it
   */
  public Verdict exception(Throwable cause) {
    if (!PeerErrors.isPeerAbort(cause)) {
      return Verdict.PASS;
    }
    if (PeerErrors.isReset(cause)) {
      resetSeen = true;
    }
    peerGone = true;
    if (signals.isIdle()) {
      return Verdict.CLOSE_QUIETLY;
    }
    if (requestResponse && awaitingResponse && !staleReported) {
      staleReported = true;
      return Verdict.STALE;
    }
    return Verdict.PASS;
  }

  /** The adapter is closing the connection on this side (its user, the pool, a timeout). */
  public void closingLocally() {
    closedLocally = true;
  }

  /**
   * The connection is gone. The adapter then passes the close through its pipeline and calls {@link
   * #closed()}.
   *
   * @return the stale-connection exception to fire first if a leased user was still waiting for a
   *     response, else null
   */
  public StaleConnectionException inactive() {
    if (requestResponse && signals.isLeased() && awaitingResponse && !staleReported && !closedLocally) {
      staleReported = true;
      return stale();
    }
    return null;
  }

  /**
   * Tells the pool who closed the connection. Called after the close went through the pipeline, so a
   * handler that understands the protocol (an HTTP exchange cut short, say) has already closed its lease
   * with the right cause; otherwise this one counts.
   */
  public void closed() {
    if (resetSeen || peerGone || !closedLocally) {
      signals.closedByPeer(resetSeen);
    } else {
      signals.closedLocally();
    }
  }

  /**
   * The response timer fired.
   *
   * @return the exception to fire (then close) if the response is overdue; otherwise null, and {@link
   *     #timerDelay()} says when to look again
   */
  public ResponseTimeoutException responseTimerFired() {
    if (!awaitingResponse || timerDelay() > 0) {
      return null;
    }
    awaitingResponse = false;
    return new ResponseTimeoutException(signals.endpoint().name(), Duration.ofNanos(responseTimeoutNanos));
  }

  /** {@return nanoseconds until the awaited response is overdue; -1 if none is awaited} */
  public long timerDelay() {
    if (!awaitingResponse || responseTimeoutNanos <= 0) {
      return -1;
    }
    return Math.max(0, responseTimeoutNanos - (ticker.read() - awaitingSince));
  }

  /** {@return the exception a user waiting on this connection sees when it turns out stale} */
  public StaleConnectionException stale() {
    return new StaleConnectionException(signals.endpoint().name(), resetSeen, unfinishedWrites == 0, null);
  }

  /**
   * {@return why the connection is no longer active, for a release that finds it so: the peer's doing
   * (reset or FIN), or a close on this side (its user, a timeout), which makes it broken}
   */
  public CloseCause inactiveCause() {
    if (resetSeen) {
      return CloseCause.PEER_RESET;
    }
    return peerGone || !closedLocally ? CloseCause.PEER_CLOSED : CloseCause.BROKEN;
  }
}
