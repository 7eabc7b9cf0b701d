package io.tether.netty3.internal;

import io.tether.pool.spi.LogSink;
import org.jboss.netty.logging.InternalLogger;
import org.jboss.netty.logging.InternalLoggerFactory;

/**
 * A pool's log through Netty 3's {@link InternalLoggerFactory}, under {@code io.tether.pool.<pool
 * name>}: levels can be set per pool.
 */
public final class Netty3Log implements LogSink {
  private final InternalLogger log;

  private Netty3Log(InternalLogger log) {
    this.log = log;
  }

  /** The log of the pool named {@code pool}. */
  public static LogSink of(String pool) {
    return new Netty3Log(InternalLoggerFactory.getInstance("io.tether.pool." + pool));
  }

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
  public void warn(String message, Throwable cause) {
    if (cause == null) {
      log.warn(message);
    } else {
      log.warn(message, cause);
    }
  }
}
