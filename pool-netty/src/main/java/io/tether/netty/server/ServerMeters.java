package io.tether.netty.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tether.pool.metrics.MeterName;
import java.util.ArrayList;
import java.util.List;

/**
 * The server-side handlers' counts in Micrometer: {@code tether.server.quiet.closes{server, cause}} for
 * a {@link QuietResetHandler} and {@code tether.server.idle.closes{server}} for an {@link IdleCloser}
 * factory. Read from the handlers when the registry asks, so counting costs them nothing extra.
 *
 * <pre>{@code
 * ServerMeters meters = ServerMeters.of("api", quiet, idleCloser);
 * meters.bindTo(registry);   // ... meters.close() removes them
 * }</pre>
 */
public final class ServerMeters implements MeterBinder, AutoCloseable {
  private final String server;
  private final QuietResetHandler quiet;
  private final IdleCloser.Factory idle;
  private final List<Meter> meters = new ArrayList<>();
  private MeterRegistry registry;

  private ServerMeters(String server, QuietResetHandler quiet, IdleCloser.Factory idle) {
    this.server = server;
    this.quiet = quiet;
    this.idle = idle;
  }

  /** Meters for {@code quiet} and {@code idle} (either may be null), tagged {@code server=name}. */
  public static ServerMeters of(String name, QuietResetHandler quiet, IdleCloser.Factory idle) {
    return new ServerMeters(name, quiet, idle);
  }

  @Override
  public synchronized void bindTo(MeterRegistry r) {
    this.registry = r;
    if (quiet != null) {
      meters.add(FunctionCounter.builder(MeterName.SERVER_QUIET_CLOSES.meterName(), quiet, QuietResetHandler::resets)
          .description(MeterName.SERVER_QUIET_CLOSES.description())
          .tags("server", server, "cause", "peer-reset").register(r));
      meters.add(FunctionCounter.builder(MeterName.SERVER_QUIET_CLOSES.meterName(), quiet, QuietResetHandler::brokenPipes)
          .description(MeterName.SERVER_QUIET_CLOSES.description())
          .tags("server", server, "cause", "broken-pipe").register(r));
    }
    if (idle != null) {
      meters.add(FunctionCounter.builder(MeterName.SERVER_IDLE_CLOSES.meterName(), idle, IdleCloser.Factory::closed)
          .description(MeterName.SERVER_IDLE_CLOSES.description())
          .tags("server", server).register(r));
    }
  }

  /** Removes the meters from the registry they were bound to. */
  @Override
  public synchronized void close() {
    if (registry != null) {
      meters.forEach(registry::remove);
    }
    meters.clear();
  }
}
