package io.tether.netty.internal;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.tether.pool.PoolListener;
import io.tether.pool.internal.LogListener;

/** Pool events logged through Netty 4's {@link InternalLoggerFactory}, category {@code io.tether.pool}. */
public final class LoggingListener {
  private static final InternalLogger log = InternalLoggerFactory.getInstance("io.tether.pool");

  private static final LogListener.Sink SINK = new LogListener.Sink() {
    @Override
    public boolean isDebugEnabled() {
      return log.isDebugEnabled();
    }

    @Override
    public void debug(String message) {
      log.debug(message);
    }

    @Override
    public void info(String message) {
      log.info(message);
    }

    @Override
    public void warn(String message) {
      log.warn(message);
    }

    @Override
    public void warn(String message, Throwable cause) {
      log.warn(message, cause);
    }
  };

  private LoggingListener() {}

  /** Logs, then forwards to {@code next}. */
  public static PoolListener wrap(String pool, PoolListener next) {
    return new LogListener(pool, next, SINK);
  }
}
