package io.tether.pool.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every link in README.md and docs/ stays inside the repository and points at something that exists: a
 * file, and for {@code file.md#anchor} a heading of that file. A clone has nothing beside it, so a link
 * to {@code ../shared} or to the web would be dead or would leave the project.
 */
class DocLinksTest {
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("(?m)^#+ (.+)$");

  @Test
  void everyLinkResolvesInsideTheRepository() throws Exception {
    Path root = ReferenceDocsTest.root();
    List<Path> files = new ArrayList<>(List.of(root.resolve("README.md")));
    try (Stream<Path> s = Files.walk(root.resolve("docs"))) {
      s.filter(f -> f.toString().endsWith(".md")).forEach(files::add);
    }
    List<String> dead = new ArrayList<>();
    int links = 0;
    for (Path f : files) {
      Matcher m = LINK.matcher(Files.readString(f));
      while (m.find()) {
        links++;
        String target = m.group(1);
        if (target.contains("://") || target.startsWith("mailto:")) {
          dead.add(root.relativize(f) + ": " + target + " leaves the repository");
          continue;
        }
        String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
        String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
        Path resolved = (file.isEmpty() ? f : f.getParent().resolve(file)).normalize();
        if (!resolved.startsWith(root)) {
          dead.add(root.relativize(f) + ": " + target + " points outside the repository");
        } else if (!Files.exists(resolved)) {
          dead.add(root.relativize(f) + ": " + target + " does not exist");
        } else if (anchor != null && !anchors(resolved).contains(anchor)) {
          dead.add(root.relativize(f) + ": " + target + " has no heading #" + anchor);
        }
      }
    }
    assertTrue(links > 30, "links read: " + links);
    assertEquals(List.of(), dead);
  }

  /** GitHub's anchors: headings lower-cased, punctuation dropped, spaces to hyphens. */
  private static List<String> anchors(Path md) throws Exception {
    List<String> out = new ArrayList<>();
    Matcher h = HEADING.matcher(Files.readString(md));
    while (h.find()) {
      out.add(h.group(1).trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
    }
    return out;
  }
}
