package io.tether.pool.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.PoolConfig;
import io.tether.pool.internal.config.Key;
import io.tether.pool.internal.config.Keys;
import io.tether.pool.internal.config.PropertyReader;
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
    for (Key<?> k : Keys.all()) {
      b.append("| `").append(k.fullName()).append("` | ").append(cell(k.type())).append(" | ")
          .append(cell(k.defaultText())).append(" | ").append(cell(k.meaning()))
          .append(k.live() ? "" : " Fixed for the pool's life.").append(" |\n");
    }
    b.append("| `").append(PoolConfig.PREFIX).append(PropertyReader.SERVER_PREFIX)
        .append("<name>` | `<host>:<port> [weight <0-256>] [backup \\| priority <n>] [disabled] [no-check] [addr <host>] [port <port>]`")
        .append(" | none | A server of the pool, in the words of an HAProxy `server` line (`addr`/`port`: where checks go). |\n");
    b.append("| `").append(PoolConfig.PREFIX).append(PropertyReader.HEADER_PREFIX)
        .append("<name>` | header value | none | A header sent with HTTP checks. |\n");
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
