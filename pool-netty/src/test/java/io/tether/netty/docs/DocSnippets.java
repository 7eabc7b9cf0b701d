package io.tether.netty.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Keeps documentation code honest. A Markdown code block preceded by {@code <!-- snippet: NAME -->} must
 * equal, character for character after removing common indentation, the region between {@code //
 * snippet: NAME} and {@code // end-snippet} in a test source; that test compiles and runs the code.
 */
public final class DocSnippets {
  private static final Pattern MARKDOWN =
      Pattern.compile("<!-- snippet: ([\\w.-]+) -->\\s*\\n```\\w*\\n(.*?)\\n```", Pattern.DOTALL);
  private static final Pattern SOURCE =
      Pattern.compile("// snippet: ([\\w.-]+)\\n(.*?)\\n\\s*// end-snippet", Pattern.DOTALL);
  /** The same markers in a test resource (a .properties file, a haproxy.cfg): {@code # snippet: NAME}. */
  private static final Pattern RESOURCE =
      Pattern.compile("# snippet: ([\\w.-]+)\\n(.*?)\\n\\s*# end-snippet", Pattern.DOTALL);
  private static final Pattern ANY_CODE_BLOCK = Pattern.compile("(<!-- snippet: [\\w.-]+ -->\\s*\\n)?```(\\w*)\\n");

  private DocSnippets() {}

  /** The repository root (tests run with the module directory as working directory). */
  public static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("README.md"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new AssertionError("README.md not found above " + Path.of("").toAbsolutePath());
    }
    return p;
  }

  /** Snippets named in a Markdown file, in order. */
  public static Map<String, String> inMarkdown(Path file) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = MARKDOWN.matcher(Files.readString(file));
    while (m.find()) {
      out.put(m.group(1), dedent(m.group(2)));
    }
    return out;
  }

  /** Snippets in every Java source under {@code dirs}. */
  public static Map<String, String> inSources(List<Path> dirs) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (Path dir : dirs) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      List<Path> files;
      try (Stream<Path> s = Files.walk(dir)) {
        files = s.filter(f -> f.toString().endsWith(".java") || f.toString().endsWith(".properties")
            || f.toString().endsWith(".cfg")).toList();
      }
      for (Path f : files) {
        Matcher m = (f.toString().endsWith(".java") ? SOURCE : RESOURCE).matcher(Files.readString(f));
        while (m.find()) {
          if (out.put(m.group(1), dedent(m.group(2))) != null) {
            throw new AssertionError("snippet " + m.group(1) + " defined twice (again in " + f + ")");
          }
        }
      }
    }
    return out;
  }

  /**
   * Code blocks in a Markdown file that are not snippets, as "line: language": each is code a reader may
   * copy that no test compiles or loads. Shell commands, Maven XML, diagrams and plain text are allowed.
   */
  public static List<String> unchecked(Path file) throws IOException {
    String text = Files.readString(file);
    List<String> out = new ArrayList<>();
    Matcher m = ANY_CODE_BLOCK.matcher(text);
    boolean open = false;
    while (m.find()) {
      if (open) { // a closing fence
        open = false;
        continue;
      }
      open = true;
      String lang = m.group(2);
      if (m.group(1) == null && !List.of("bash", "sh", "xml", "text", "mermaid", "").contains(lang)) {
        int line = text.substring(0, m.start()).split("\n", -1).length;
        out.add(file.getFileName() + ":" + line + ": " + lang);
      }
    }
    return out;
  }

  static String dedent(String block) {
    List<String> lines = new ArrayList<>(List.of(block.split("\n", -1)));
    int indent = Integer.MAX_VALUE;
    for (String l : lines) {
      if (!l.isBlank()) {
        indent = Math.min(indent, l.length() - l.stripLeading().length());
      }
    }
    StringBuilder b = new StringBuilder();
    for (String l : lines) {
      b.append(l.isBlank() ? "" : l.substring(Math.min(indent, l.length())).stripTrailing()).append('\n');
    }
    return b.toString().strip();
  }
}
