package io.tether.pool;

/**
 * A {@link Lease} was used after it ended: released or invalidated a second time, or after its
 * connection was leased again. Nothing was done to the connection. Thrown only when leak detection is on
 * ({@code leak-detection-threshold}) or assertions are enabled; otherwise the misuse is logged at WARN and
 * ignored.
 *
 * @serial exclude
 */
public final class StaleLeaseException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /**
   * A stale use of a lease.
   *
   * @param pool the pool's name
   * @param what what was attempted: {@code release} or {@code invalidate}
   * @param lease the lease, as text
   */
  public StaleLeaseException(String pool, String what, String lease) {
    super("pool " + pool + ": " + what + " of a lease that already ended (" + lease
        + "); it did nothing. A lease is used once: release or invalidate it exactly once");
  }
}
