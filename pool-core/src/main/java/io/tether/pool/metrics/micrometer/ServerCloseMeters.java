package io.tether.pool.metrics.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tether.pool.metrics.MeterName;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Server-side close counts in Micrometer: {@code tether.server.quiet.closes{server, cause}} and {@code
 * tether.server.idle.closes{server}}, read from the handlers' own counters when the registry asks. Built
 * by the adapters' {@code ServerMeters.of(...)}; {@link #close()} removes the meters.
 */
public final class ServerCloseMeters implements MeterBinder, AutoCloseable {
  private final String server;
  private final LongSupplier resets;
  private final LongSupplier brokenPipes;
  private final LongSupplier idleCloses;
  private final List<Meter> meters = new ArrayList<>();
  private MeterRegistry registry;

  /**
   * Counts for server {@code server}; any supplier may be null (that meter is not registered).
   *
   * @param server the value of the {@code server} tag
   * @param resets reads the reset count
   * @param brokenPipes reads the broken-pipe count
   * @param idleCloses reads the idle-close count
   */
  public ServerCloseMeters(String server, LongSupplier resets, LongSupplier brokenPipes, LongSupplier idleCloses) {
    this.server = server;
    this.resets = resets;
    this.brokenPipes = brokenPipes;
    this.idleCloses = idleCloses;
  }

  @Override
  public synchronized void bindTo(MeterRegistry r) {
    registry = r;
    add(r, MeterName.SERVER_QUIET_CLOSES, resets, "cause", "peer-reset");
    add(r, MeterName.SERVER_QUIET_CLOSES, brokenPipes, "cause", "broken-pipe");
    add(r, MeterName.SERVER_IDLE_CLOSES, idleCloses);
  }

  private void add(MeterRegistry r, MeterName n, LongSupplier count, String... tags) {
    if (count != null) {
      // The function holds the supplier strongly: Micrometer holds the object (first argument) only weakly,
      // and a caller who discards this binder keeps no other reference to the supplier.
      meters.add(FunctionCounter.builder(n.meterName(), count, c -> count.getAsLong())
          .description(n.description()).tags("server", server).tags(tags).register(r));
    }
  }

  @Override
  public synchronized void close() {
    if (registry != null) {
      meters.forEach(registry::remove);
    }
    meters.clear();
  }
}
