package io.tether.pool.haproxy;

import java.time.Duration;

/**
 * The rule behind both Netty versions' server-side {@code IdleCloser}: a server closes a keep-alive
 * connection that has been idle for {@link #closeAfterNanos()} (no byte in or out, and no request waiting
 * for its response), a fraction of the balancer's {@code timeout server}. The balancer then always sees the
 * close before its own timeout would let it reuse the connection, instead of a server that closes under
 * a request it just forwarded.
 *
 * <p>Times are the caller's clock readings in nanoseconds (a {@code Ticker}). Not thread-safe: one
 * connection's handler serializes its calls (its event loop, or a lock).
 */
public final class IdleDeadline {
  private final long closeAfterNanos;
  private long lastActivity;
  private int inFlight;

  /**
   * A deadline for one connection.
   *
   * @param closeAfter the idle time after which the connection closes; above 0
   * @throws IllegalArgumentException if {@code closeAfter} is 0 or negative
   */
  public IdleDeadline(Duration closeAfter) {
    if (closeAfter.isNegative() || closeAfter.isZero()) {
      throw new IllegalArgumentException("closeAfter " + closeAfter + " (expected: above 0)");
    }
    this.closeAfterNanos = closeAfter.toNanos();
  }

  /**
   * {@return {@code ratio} of the balancer's {@code timeout server}: the idle time to close at}
   *
   * @param timeoutServer HAProxy's {@code timeout server} (or the balancer's idle timeout toward servers)
   * @param ratio above 0 and below 1, such as 0.9
   * @throws IllegalArgumentException if either is out of range
   */
  public static Duration beforeBalancerTimeout(Duration timeoutServer, double ratio) {
    if (!(ratio > 0 && ratio < 1)) {
      throw new IllegalArgumentException("ratio " + ratio + " (expected: above 0 and below 1)");
    }
    if (timeoutServer.isNegative() || timeoutServer.isZero()) {
      throw new IllegalArgumentException("timeout server " + timeoutServer + " (expected: above 0)");
    }
    return Duration.ofNanos(Math.max(1, (long) (timeoutServer.toNanos() * ratio)));
  }

  /** {@return the idle time after which the connection closes, in nanoseconds} */
  public long closeAfterNanos() {
    return closeAfterNanos;
  }

  /**
   * The connection became active: idle from now.
   *
   * @param now the clock reading
   */
  public void start(long now) {
    lastActivity = now;
  }

  /**
   * Bytes arrived; {@code request} when they are a request's head, whose response is now awaited.
   *
   * @param now the clock reading
   * @param request whether a request starts
   */
  public void read(long now, boolean request) {
    lastActivity = now;
    if (request) {
      inFlight++;
    }
  }

  /**
   * Bytes were written; {@code responseComplete} when they end a response.
   *
   * @param now the clock reading
   * @param responseComplete whether a response ends
   */
  public void wrote(long now, boolean responseComplete) {
    lastActivity = now;
    if (responseComplete && inFlight > 0) {
      inFlight--;
    }
  }

  /**
   * {@return 0 if the connection should close now; else how long to wait before checking again, in
   * nanoseconds} A connection with a request awaiting its response never closes; it is checked again a
   * whole {@link #closeAfterNanos()} later.
   *
   * @param now the clock reading
   */
  public long check(long now) {
    if (inFlight > 0) {
      return closeAfterNanos;
    }
    long idle = now - lastActivity;
    return idle >= closeAfterNanos ? 0 : closeAfterNanos - idle;
  }

  /**
   * {@return how long the connection has been idle at {@code now}, in nanoseconds}
   *
   * @param now the clock reading
   */
  public long idleNanos(long now) {
    return now - lastActivity;
  }
}
