package io.tether.pool.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tether.pool.ConnectionPool;
import io.tether.pool.Lease;
import io.tether.pool.PoolConfig;
import io.tether.pool.metrics.micrometer.DiscoveryMeters;
import io.tether.pool.metrics.micrometer.PoolMeters;
import io.tether.pool.metrics.micrometer.ServerCloseMeters;
import io.tether.pool.testing.FakeConnector;
import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.FakeTicker;
import io.tether.pool.testing.ManualScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Every meter of {@link MeterName} through a real {@code PrometheusMeterRegistry}: it registers (a name
 * Prometheus reserves, such as one ending in {@code created}, fails here), and its series appears in
 * the scrape under the name the docs and the dashboard use.
 */
class PrometheusNamesTest {

  /** The series name Prometheus gives a meter: dots to underscores, counters with {@code _total}. */
  static String seriesName(MeterName m) {
    String base = m.meterName().replace('.', '_');
    return switch (m.type()) {
      case COUNTER -> base + "_total";
      case TIMER -> base + "_seconds_count";
      default -> base;
    };
  }

  @Test
  void everyMeterRegistersAndIsScrapedUnderItsDocumentedName() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    FakeTicker ticker = new FakeTicker();
    ConnectionPool<Conn> pool = ConnectionPool.builder(new FakeConnector())
        .config(PoolConfig.builder().name("orders").server("app1", "127.0.0.29", 8080).build())
        .scheduler(new ManualScheduler(ticker)).ticker(ticker).metrics(new PoolMeters(registry)).build();
    Lease<Conn> l = pool.acquire().join();
    l.release();
    ServerCloseMeters server = new ServerCloseMeters("api", () -> 1, () -> 2, () -> 3, () -> 4, () -> 5, () -> 6);
    server.bindTo(registry);
    new DiscoveryMeters("orders", () -> 3, () -> 0, () -> 1, () -> 2.5).bindTo(registry); // discarded: still scraped

    String scrape = registry.scrape();
    List<String> missing = new ArrayList<>();
    for (MeterName m : MeterName.values()) {
      String series = seriesName(m);
      if (!scrape.contains("\n" + series + "{") && !scrape.startsWith(series + "{")) {
        missing.add(m.meterName() + " as " + series);
      }
    }
    assertEquals(List.of(), missing, "meters absent from the Prometheus scrape");
    for (MeterName m : MeterName.values()) {
      assertTrue(!m.meterName().toLowerCase(Locale.ROOT).endsWith(".created"),
          m.meterName() + ": _created is reserved by OpenMetrics");
    }
    server.close();
    pool.close();
  }
}
