package io.tether.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import io.tether.pool.spi.LogSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pool's log sink over Netty's logger factory (pointed at JUL for the test, and put back): the
 * logger's name, each level, a warning's cause kept, and the debug switch following the level.
 */
class NettyLogTest {
  private final Logger jul = Logger.getLogger("io.tether.pool.logtest");
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      if (isLoggable(r)) {
        seen.add(r.getLevel() + " " + r.getMessage() + (r.getThrown() == null ? "" : " / " + r.getThrown().getMessage()));
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private InternalLoggerFactory before;

  @BeforeEach
  void setUp() {
    before = InternalLoggerFactory.getDefaultFactory();
    InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
    jul.addHandler(capture);
    jul.setUseParentHandlers(false);
  }

  @AfterEach
  void tearDown() {
    jul.removeHandler(capture);
    jul.setUseParentHandlers(true);
    jul.setLevel(null);
    InternalLoggerFactory.setDefaultFactory(before);
  }

  @Test
  void eachLevelReachesThePoolsLoggerAndAWarningKeepsItsCause() {
    jul.setLevel(Level.ALL);
    LogSink log = NettyLog.of("logtest");
    assertTrue(log.isDebugEnabled());
    log.debug("d");
    log.info("i");
    log.warn("w", null);
    log.warn("w2", new IllegalStateException("why"));
    assertEquals(List.of("FINE d", "INFO i", "WARNING w", "WARNING w2 / why"), seen);
  }

  @Test
  void debugIsOffWhenTheLevelSaysSo() {
    jul.setLevel(Level.INFO);
    LogSink log = NettyLog.of("logtest");
    assertFalse(log.isDebugEnabled());
    log.debug("hidden");
    assertEquals(List.of(), seen);
  }
}
