package io.tether.pool.testing;

import io.tether.pool.spi.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to. Starts at an arbitrary non-zero origin to catch "time == 0" bugs. */
public final class FakeTicker implements Ticker {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);

  @Override
  public long read() {
    return nanos.get();
  }

  public FakeTicker advance(Duration d) {
    nanos.addAndGet(d.toNanos());
    return this;
  }

  /** Moves to {@code at} if that is later; never backwards. */
  public void advanceTo(long at) {
    nanos.accumulateAndGet(at, Math::max);
  }

  /** Time since the origin, for narrating timelines. */
  public Duration elapsed() {
    return Duration.ofNanos(nanos.get() - 1_000_000_000_000L);
  }

  public long origin() {
    return 1_000_000_000_000L;
  }
}
