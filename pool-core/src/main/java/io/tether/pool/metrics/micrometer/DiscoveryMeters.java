package io.tether.pool.metrics.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tether.pool.metrics.MeterName;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * A membership source's health in Micrometer: {@code tether.pool.dns.resolutions{pool, result}} and
 * {@code tether.pool.dns.answer.age{pool}}, read from the source's own counters when the registry asks.
 * Built by {@code DnsDiscovery.meters()}; {@link #close()} removes the meters. The meters hold the
 * suppliers strongly, so the binder may be discarded once bound.
 */
public final class DiscoveryMeters implements MeterBinder, AutoCloseable {
  private final String pool;
  private final LongSupplier ok;
  private final LongSupplier empty;
  private final LongSupplier failed;
  private final DoubleSupplier answerAgeSeconds;
  private final List<Meter> meters = new ArrayList<>();
  private MeterRegistry registry;

  /**
   * Meters for the source feeding pool {@code pool}.
   *
   * @param pool the value of the {@code pool} tag
   * @param ok reads the rounds that found addresses
   * @param empty reads the rounds answered with NXDOMAIN or no address
   * @param failed reads the rounds that failed
   * @param answerAgeSeconds reads the seconds since the last answer (NaN before the first)
   */
  public DiscoveryMeters(String pool, LongSupplier ok, LongSupplier empty, LongSupplier failed,
      DoubleSupplier answerAgeSeconds) {
    this.pool = Objects.requireNonNull(pool, "pool");
    this.ok = Objects.requireNonNull(ok, "ok");
    this.empty = Objects.requireNonNull(empty, "empty");
    this.failed = Objects.requireNonNull(failed, "failed");
    this.answerAgeSeconds = Objects.requireNonNull(answerAgeSeconds, "answerAgeSeconds");
  }

  @Override
  public synchronized void bindTo(MeterRegistry r) {
    registry = r;
    counter(r, "ok", ok);
    counter(r, "empty", empty);
    counter(r, "failed", failed);
    DoubleSupplier age = answerAgeSeconds;
    meters.add(Gauge.builder(MeterName.DNS_ANSWER_AGE.meterName(), age, DoubleSupplier::getAsDouble)
        .description(MeterName.DNS_ANSWER_AGE.description()).tags("pool", pool).strongReference(true).register(r));
  }

  private void counter(MeterRegistry r, String result, LongSupplier count) {
    // The function holds the supplier strongly: Micrometer holds the object only weakly.
    meters.add(FunctionCounter.builder(MeterName.DNS_RESOLUTIONS.meterName(), count, c -> count.getAsLong())
        .description(MeterName.DNS_RESOLUTIONS.description()).tags("pool", pool, "result", result).register(r));
  }

  @Override
  public synchronized void close() {
    if (registry != null) {
      meters.forEach(registry::remove);
    }
    meters.clear();
  }
}
