package io.tether.pool.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.internal.config.Keys;
import io.tether.pool.internal.config.PropertyReader;
import io.tether.pool.metrics.MeterName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the docs cite must exist: every test named as evidence ({@code `SomethingTest`}) is a test class
 * of the repository, every {@code tether.pool.*} name is a key (or a family of keys, such as the servers'
 * {@code tether.pool.server.<name>}), a meter, or the
 * misspelt key of an error example, and every {@code tether.server.*} name is a meter. A renamed or
 * deleted test or key fails here instead of leaving a claim with nothing behind it.
 */
class DocClaimsTest {
  private static final Pattern TEST_NAME = Pattern.compile("`([A-Z][A-Za-z0-9]*Test)`");
  private static final Pattern NAME = Pattern.compile("(?<![\\w.])(tether\\.(?:pool|server)\\.[a-z0-9.-]*[a-z0-9])");

  private static List<Path> docs() throws Exception {
    Path root = ReferenceDocsTest.root();
    List<Path> files = new ArrayList<>(List.of(root.resolve("README.md")));
    try (Stream<Path> s = Files.walk(root.resolve("docs"))) {
      s.filter(f -> f.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    return files;
  }

  @Test
  void everyTestTheDocsCiteExists() throws Exception {
    Path root = ReferenceDocsTest.root();
    Set<String> tests = new TreeSet<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.filter(f -> f.toString().contains("/src/test/java/") && f.toString().endsWith("Test.java"))
          .forEach(f -> tests.add(f.getFileName().toString().replace(".java", "")));
    }
    List<String> missing = new ArrayList<>();
    int cited = 0;
    for (Path doc : docs()) {
      Matcher m = TEST_NAME.matcher(Files.readString(doc));
      while (m.find()) {
        cited++;
        if (!tests.contains(m.group(1))) {
          missing.add(root.relativize(doc) + ": " + m.group(1));
        }
      }
    }
    assertTrue(cited > 40, "tests cited: " + cited);
    assertEquals(List.of(), missing, "tests the docs cite that do not exist");
  }

  @Test
  void everyKeyAndMeterTheDocsNameExists() throws Exception {
    Set<String> known = new TreeSet<>();
    Keys.all().forEach(k -> known.add(k.fullName()));
    for (MeterName m : MeterName.values()) {
      known.add(m.meterName());
    }
    Path root = ReferenceDocsTest.root();
    List<String> unknown = new ArrayList<>();
    int named = 0;
    for (Path doc : docs()) {
      for (String line : Files.readAllLines(doc)) {
        Matcher m = NAME.matcher(line);
        while (m.find()) {
          named++;
          String name = m.group(1);
          boolean family = known.stream().anyMatch(k -> k.startsWith(name + "."))
              || (name + ".").startsWith(Keys.PREFIX + PropertyReader.SERVER_PREFIX)
              || (name + ".").startsWith(Keys.PREFIX + PropertyReader.HEADER_PREFIX);
          boolean errorExample = line.contains("did you mean") || line.contains("probably meant");
          if (!known.contains(name) && !family && !errorExample) {
            unknown.add(root.relativize(doc) + ": " + name);
          }
        }
      }
    }
    assertTrue(named > 100, "names read: " + named);
    assertEquals(List.of(), unknown, "names the docs use that are neither a key nor a meter");
  }
}
