package io.tether.netty.internal;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.tether.pool.spi.LogSink;

/**
 * A pool's log through Netty 4's {@link InternalLoggerFactory} (so SLF4J, Log4j or JUL as the
 * application is set up), under {@code io.tether.pool.<pool name>}: levels can be set per pool.
 */
public final class NettyLog implements LogSink {
  private final InternalLogger log;

  private NettyLog(InternalLogger log) {
    this.log = log;
  }

  /** The log of the pool named {@code pool}. */
  public static LogSink of(String pool) {
    return new NettyLog(InternalLoggerFactory.getInstance("io.tether.pool." + pool));
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
