package io.tether.pool.spi;

/**
 * The one source of time for a pool. Every deadline, age and timeout the pool computes is based on
 * {@link #read()}, so a test can replace it and walk through minutes of pool life without sleeping.
 *
 * <p>Implementations must be monotonic and thread-safe; they are called from any thread that uses the
 * pool.
 */
@FunctionalInterface
public interface Ticker {

  /** {@return the current time in nanoseconds from an arbitrary origin; only differences are meaningful} */
  long read();

  /** {@return the system monotonic clock, {@link System#nanoTime()}} */
  static Ticker system() {
    return System::nanoTime;
  }
}
