package io.tether.pool.internal;

import io.tether.pool.CloseCause;
import io.tether.pool.Endpoint;
import io.tether.pool.PoolListener;
import io.tether.pool.ServerState;

/**
 * Logs pool events and forwards them to the application's listener. The adapters give it their
 * transport's logger (Netty's {@code InternalLoggerFactory}, so SLF4J, Log4j or JUL as the application
 * is set up). Closes, including resets, are normal: DEBUG. A server marked down is WARN, up again INFO.
 */
final class LogListener implements PoolListener {

  private final String pool;
  private final PoolListener next;
  private final io.tether.pool.spi.LogSink log;

  LogListener(String pool, PoolListener next, io.tether.pool.spi.LogSink log) {
    this.pool = pool;
    this.next = next;
    this.log = log;
  }

  @Override
  public void connectStarted(Endpoint endpoint) {
    next.connectStarted(endpoint);
  }

  @Override
  public void connected(Endpoint endpoint, long connectNanos) {
    next.connected(endpoint, connectNanos);
  }

  @Override
  public void connectFailed(Endpoint endpoint, Throwable cause) {
    if (log.isDebugEnabled()) {
      log.debug("pool " + pool + ": connect to " + endpoint + " failed: " + cause);
    }
    next.connectFailed(endpoint, cause);
  }

  @Override
  public void acquired(Endpoint endpoint) {
    next.acquired(endpoint);
  }

  @Override
  public void released(Endpoint endpoint) {
    next.released(endpoint);
  }

  @Override
  public void closed(Endpoint endpoint, CloseCause cause, Throwable detail) {
    if (log.isDebugEnabled()) {
      log.debug("pool " + pool + ": connection to " + endpoint.name() + " closed: " + cause.id()
          + (detail == null ? "" : " (" + detail + ")"));
    }
    next.closed(endpoint, cause, detail);
  }

  @Override
  public void acquireTimedOut(Endpoint endpoint, long waitedNanos) {
    next.acquireTimedOut(endpoint, waitedNanos);
  }

  @Override
  public void acquireRejected() {
    next.acquireRejected();
  }

  @Override
  public void leakSuspected(Endpoint endpoint, java.time.Duration heldFor, Throwable acquiredAt) {
    log.warn("pool " + pool + ": a lease of a connection to " + endpoint.name() + " has been held for "
        + io.tether.pool.DurationSyntax.format(heldFor.truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
        + " and may have leaked; it was acquired here:", acquiredAt);
    next.leakSuspected(endpoint, heldFor, acquiredAt);
  }

  @Override
  public void stateChanged(Endpoint endpoint, ServerState from, ServerState to, String reason) {
    String m = "pool " + pool + ": server " + endpoint + " is " + to + " (was " + from + "): " + reason;
    if (to == ServerState.UP) {
      log.info(m);
    } else {
      log.warn(m, null);
    }
    next.stateChanged(endpoint, from, to, reason);
  }

  @Override
  public void serverAdded(Endpoint endpoint) {
    log.info("pool " + pool + ": server " + endpoint + " joined");
    next.serverAdded(endpoint);
  }

  @Override
  public void serverRemoved(Endpoint endpoint) {
    log.info("pool " + pool + ": server " + endpoint + " left (removed, its last connection closed)");
    next.serverRemoved(endpoint);
  }
}
