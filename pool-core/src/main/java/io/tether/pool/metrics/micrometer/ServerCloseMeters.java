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
 * Server-side close counts in Micrometer: {@code tether.server.quiet.closes{server, cause}}, {@code
 * tether.server.idle.closes{server}} and {@code tether.server.drain.closes{server, phase}}, read from the handlers' own counters when the registry asks. Built
 * by the adapters' {@code ServerMeters.of(...)}; {@link #close()} removes the meters.
 */
public final class ServerCloseMeters implements MeterBinder, AutoCloseable {
  private final String server;
  private final LongSupplier resets;
  private final LongSupplier brokenPipes;
  private final LongSupplier idleCloses;
  private final LongSupplier[] drainCloses;
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
    this(server, resets, brokenPipes, idleCloses, null, null, null);
  }

  /**
   * As {@link #ServerCloseMeters(String, LongSupplier, LongSupplier, LongSupplier)}, with a drain's close
   * counts as {@code tether.server.drain.closes{phase}}; null drain suppliers register nothing.
   *
   * @param server the value of the {@code server} tag
   * @param resets reads the reset count
   * @param brokenPipes reads the broken-pipe count
   * @param idleCloses reads the idle-close count
   * @param drainIdle reads the idle connections a drain closed
   * @param drainAfterResponse reads the connections a drain closed after their response
   * @param drainAtGrace reads the connections a drain closed at its grace time
   */
  public ServerCloseMeters(String server, LongSupplier resets, LongSupplier brokenPipes, LongSupplier idleCloses,
      LongSupplier drainIdle, LongSupplier drainAfterResponse, LongSupplier drainAtGrace) {
    this.server = server;
    this.resets = resets;
    this.brokenPipes = brokenPipes;
    this.idleCloses = idleCloses;
    this.drainCloses = new LongSupplier[] {drainIdle, drainAfterResponse, drainAtGrace};
  }

  @Override
  public synchronized void bindTo(MeterRegistry r) {
    registry = r;
    add(r, MeterName.SERVER_QUIET_CLOSES, resets, "cause", "peer-reset");
    add(r, MeterName.SERVER_QUIET_CLOSES, brokenPipes, "cause", "broken-pipe");
    add(r, MeterName.SERVER_IDLE_CLOSES, idleCloses);
    add(r, MeterName.SERVER_DRAIN_CLOSES, drainCloses[0], "phase", "idle");
    add(r, MeterName.SERVER_DRAIN_CLOSES, drainCloses[1], "phase", "after-response");
    add(r, MeterName.SERVER_DRAIN_CLOSES, drainCloses[2], "phase", "at-grace");
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
