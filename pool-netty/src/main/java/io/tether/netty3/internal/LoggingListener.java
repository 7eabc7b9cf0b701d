package io.tether.netty3.internal;

import io.tether.pool.PoolListener;
import io.tether.pool.internal.LogListener;
import org.jboss.netty.logging.InternalLogger;
import org.jboss.netty.logging.InternalLoggerFactory;

/** Pool events logged through Netty 3's {@link InternalLoggerFactory}, category {@code io.tether.pool}. */
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

  public static PoolListener wrap(String pool, PoolListener next) {
    return new LogListener(pool, next, SINK);
  }
}
