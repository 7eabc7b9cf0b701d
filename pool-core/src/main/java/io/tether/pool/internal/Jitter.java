package io.tether.pool.internal;

/**
 * Spreads deadlines so a fleet of connections opened together does not expire, and reconnect,
 * together. Jitter only ever moves a deadline earlier: a connection must never outlive the idle
 * timeout it is protecting against.
 */
final class Jitter {
  private Jitter() {}

  /**
   * {@code nanos} shortened by a fraction {@code fraction x u} of itself, for a uniform draw {@code u}
   * in [0, 1). The result is in {@code (nanos x (1 - fraction), nanos]}.
   */
  static long shorten(long nanos, double fraction, double u) {
    if (fraction <= 0 || nanos <= 0) {
      return nanos;
    }
    if (!(u >= 0 && u < 1)) {
      throw new IllegalArgumentException("draw " + u + " not in [0, 1)");
    }
    long cut = (long) (nanos * fraction * u);
    return nanos - Math.max(0, Math.min(cut, nanos));
  }
}
