package io.tether.netty.internal;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.tether.pool.CloseCause;
import io.tether.pool.Endpoint;
import io.tether.pool.PoolListener;
import io.tether.pool.ServerState;

/**
 * Logs pool events through Netty's {@link InternalLoggerFactory} (so SLF4J, Log4j or JUL, whichever the
 * application uses) and forwards them to the application's listener. Closes, including resets, are
 * normal: DEBUG. Server state changes are operational news: INFO when up, WARN when down.
 */
public final class LoggingListener implements PoolListener {
  private static final InternalLogger log = InternalLoggerFactory.getInstance("io.tether.pool");

  private final String pool;
  private final PoolListener next;

  public LoggingListener(String pool, PoolListener next) {
    this.pool = pool;
    this.next = next;
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
      log.debug("pool {}: connect to {} failed: {}", pool, endpoint, String.valueOf(cause));
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
      log.debug("pool {}: connection to {} closed: {}{}", pool, endpoint.name(), cause.id(),
          detail == null ? "" : " (" + detail + ")");
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
  public void stateChanged(Endpoint endpoint, ServerState from, ServerState to, String reason) {
    if (to == ServerState.UP) {
      log.info("pool {}: server {} is {} (was {}): {}", pool, endpoint, to, from, reason);
    } else {
      log.warn("pool {}: server {} is {} (was {}): {}", pool, endpoint, to, from, reason);
    }
    next.stateChanged(endpoint, from, to, reason);
  }
}
