package io.tether.pool.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md promises that every concept reads in one sitting: no main source file of any
 * module is over {@value #MAX_LINES} lines. A file that grows past it fails here, naming it, instead of
 * the claim going stale.
 */
class SourceShapeTest {
  private static final int MAX_LINES = 500;

  @Test
  void noMainSourceFileIsOverTheLimit() throws IOException {
    Path root = ReferenceDocsTest.root();
    List<Path> sources;
    try (Stream<Path> s = Files.walk(root)) {
      sources = s.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> root.relativize(p).toString().replace('\\', '/').matches("[^/]+/src/main/java/.*"))
          .sorted()
          .collect(Collectors.toList());
    }
    // Each module's sources are found, so an empty walk cannot pass for a clean one.
    for (String module : List.of("pool-core", "pool-netty", "pool-bench")) {
      assertTrue(sources.stream().anyMatch(p -> root.relativize(p).startsWith(module)), module + " sources found");
    }
    List<String> over = sources.stream()
        .filter(p -> lines(p) > MAX_LINES)
        .map(p -> root.relativize(p) + " (" + lines(p) + " lines)")
        .collect(Collectors.toList());
    assertEquals(List.of(), over, "main source files over " + MAX_LINES + " lines");
  }

  private static long lines(Path p) {
    try (Stream<String> s = Files.lines(p)) {
      return s.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
