package io.tether.pool.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.metrics.MeterName;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The dashboard queries only meters that exist, under their Prometheus names, and shows every one. */
class GrafanaDashboardTest {
  /** A JSON string value, escapes included: {@code "pool=~\"$pool\""} must not end at its first {@code \"}. */
  private static final Pattern EXPR = Pattern.compile("\"expr\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern SERIES = Pattern.compile("tether_[a-z_]+");

  /** How Micrometer's Prometheus registry names a meter's series. */
  static Set<String> prometheusNames(MeterName n) {
    String base = n.meterName().replace('.', '_');
    switch (n.type()) {
      case COUNTER:
        return Set.of(base + "_total");
      case TIMER:
        return Set.of(base + "_seconds_count", base + "_seconds_sum", base + "_seconds_max", base + "_seconds_bucket");
      default:
        return Set.of(base);
    }
  }

  @Test
  void everyQueryNamesAMeterAndEveryMeterIsShown() throws Exception {
    String json = Files.readString(ReferenceDocsTest.root().resolve("docs/grafana/tether-dashboard.json"));
    Set<String> known = new HashSet<>();
    for (MeterName n : MeterName.values()) {
      known.addAll(prometheusNames(n));
    }
    Set<String> used = new TreeSet<>();
    Matcher e = EXPR.matcher(json);
    while (e.find()) {
      Matcher s = SERIES.matcher(e.group(1));
      while (s.find()) {
        used.add(s.group());
      }
    }
    assertTrue(used.size() > 10, "queries found: " + used);
    assertTrue(used.contains("tether_pool_acquire_seconds_count"),
        "a series after the first escaped quote of its query is read: " + used);
    for (String series : used) {
      assertTrue(known.contains(series), series + " is not a Tether meter");
    }
    List<String> unshown = java.util.Arrays.stream(MeterName.values())
        .filter(n -> prometheusNames(n).stream().noneMatch(used::contains))
        .map(MeterName::meterName).toList();
    assertEquals(List.of(), unshown, "meters missing from the dashboard");
  }
}
