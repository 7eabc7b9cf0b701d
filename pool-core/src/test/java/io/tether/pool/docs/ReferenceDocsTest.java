package io.tether.pool.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.PoolConfig;
import io.tether.pool.internal.config.PropertyTable;
import io.tether.pool.metrics.MeterName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/metrics.md and docs/properties.md hold tables generated from {@link MeterName} and {@link
 * PropertyTable}; this test fails when they drift. Run with {@code -Dtether.updateDocs=true} to rewrite
 * the generated regions.
 */
class ReferenceDocsTest {
  private static final String BEGIN = "<!-- generated: begin -->";
  private static final String END = "<!-- generated: end -->";

  static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("README.md"))) {
      p = p.getParent();
    }
    return p;
  }

  static String metricsTable() {
    StringBuilder b = new StringBuilder("| meter | type | tags | meaning |\n|---|---|---|---|\n");
    for (MeterName n : MeterName.values()) {
      b.append("| `").append(n.meterName()).append("` | ").append(n.type().name().toLowerCase())
          .append(" | ").append(String.join(", ", n.tags())).append(" | ").append(n.description()).append(" |\n");
    }
    return b.toString();
  }

  /** A pipe inside a cell ("lifo | fifo") would end the cell: Markdown wants it escaped. */
  private static String cell(String text) {
    return text.replace("|", "\\|");
  }

  static String propertiesTable() {
    StringBuilder b = new StringBuilder("| key | type | default | meaning |\n|---|---|---|---|\n");
    for (PropertyTable.Key k : PropertyTable.keys()) {
      b.append("| `").append(k.fullName()).append("` | ").append(cell(k.type())).append(" | ")
          .append(cell(k.defaultValue())).append(" | ").append(cell(k.meaning())).append(" |\n");
    }
    b.append("| `").append(PoolConfig.PREFIX).append(PropertyTable.SERVER_PREFIX)
        .append("<name>` | `<host>:<port> [weight <1-256>]` | none | A server of the pool, as an HAProxy `server` line. |\n");
    return b.toString();
  }

  private static void check(String file, String table) throws IOException {
    Path p = root().resolve(file);
    String text = Files.readString(p);
    int b = text.indexOf(BEGIN);
    int e = text.indexOf(END);
    assertTrue(b >= 0 && e > b, file + " has no " + BEGIN + " ... " + END + " region");
    String current = text.substring(b + BEGIN.length(), e).strip() + "\n";
    if (Boolean.getBoolean("tether.updateDocs")) {
      Files.writeString(p, text.substring(0, b + BEGIN.length()) + "\n" + table + text.substring(e));
      return;
    }
    assertEquals(table, current, file + " is out of date: rerun with -Dtether.updateDocs=true");
  }

  @Test
  void metricsDocListsEveryMeter() throws IOException {
    check("docs/metrics.md", metricsTable());
  }

  @Test
  void propertiesDocListsEveryKey() throws IOException {
    check("docs/properties.md", propertiesTable());
  }
}
