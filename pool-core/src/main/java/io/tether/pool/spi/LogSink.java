package io.tether.pool.spi;

/**
 * Where a pool logs: the few calls it needs, over whatever logger the transport uses (the Netty adapters
 * use Netty's {@code InternalLoggerFactory}, so SLF4J, Log4j or JUL as the application is set up). Each
 * pool logs under its own name, {@code io.tether.pool.<pool name>}, so levels can be set per pool.
 */
public interface LogSink {
  /** Logs nowhere. */
  LogSink NONE = new LogSink() {
    @Override
    public boolean isDebugEnabled() {
      return false;
    }

    @Override
    public void debug(String message) {}

    @Override
    public void info(String message) {}

    @Override
    public void warn(String message, Throwable cause) {}
  };

  /** {@return whether debug messages are wanted (callers skip building them otherwise)} */
  boolean isDebugEnabled();

  /**
   * A normal event: a close, a connect.
   *
   * @param message the message
   */
  void debug(String message);

  /**
   * A notable normal event: a server back up.
   *
   * @param message the message
   */
  void info(String message);

  /**
   * Something an operator should see: a server marked down, a suspected leak.
   *
   * @param message the message
   * @param cause the error behind it, or null
   */
  void warn(String message, Throwable cause);
}
