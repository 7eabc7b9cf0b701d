package io.tether.bench.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * What a release publishes, checked on the jars this build made (the reactor builds pool-core and
 * pool-netty before this module): each jar names its module and carries the license; the sources jar
 * has every class's source; the javadoc jar documents every public type outside the internal packages.
 * The POM and the repository carry what Maven Central and users expect.
 */
class ReleaseArtifactsTest {
  private static final String VERSION = System.getProperty("tether.version");

  static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("README.md"))) {
      p = p.getParent();
    }
    return p;
  }

  private static Path artifact(String module, String classifier) {
    Path jar = root().resolve(module).resolve("target")
        .resolve(module + "-" + VERSION + (classifier.isEmpty() ? "" : "-" + classifier) + ".jar");
    assertTrue(Files.exists(jar), jar + " is missing: build " + module + " first (mvn verify from the root)");
    return jar;
  }

  @ParameterizedTest
  @CsvSource({"pool-core, io.tether.pool", "pool-netty, io.tether.netty"})
  void eachJarIsComplete(String module, String moduleName) throws IOException {
    assertTrue(VERSION != null && VERSION.matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), "version " + VERSION);
    Set<String> classes = new TreeSet<>();
    Set<String> publicApi = new TreeSet<>();
    try (JarFile jar = new JarFile(artifact(module, "").toFile())) {
      Manifest mf = jar.getManifest();
      assertEquals(moduleName, mf.getMainAttributes().getValue("Automatic-Module-Name"), module + " module name");
      assertTrue(jar.getEntry("META-INF/LICENSE") != null, module + " carries its license");
      for (ZipEntry e : java.util.Collections.list(jar.entries())) {
        String n = e.getName();
        if (n.endsWith(".class") && !n.contains("$") && !n.endsWith("module-info.class")
            && !n.endsWith("package-info.class")) {
          String type = n.substring(0, n.length() - ".class".length());
          classes.add(type);
          if (!type.contains("/internal/") && isPublic(jar, e)) {
            publicApi.add(type);
          }
        }
      }
    }
    assertTrue(classes.size() > 20, module + " classes: " + classes.size());
    List<String> noSource = new ArrayList<>();
    try (JarFile sources = new JarFile(artifact(module, "sources").toFile())) {
      assertTrue(sources.getEntry("META-INF/LICENSE") != null, module + " sources carry the license");
      for (String c : classes) {
        if (sources.getEntry(c + ".java") == null) {
          noSource.add(c);
        }
      }
    }
    assertEquals(List.of(), noSource, module + " classes without source in the sources jar");
    List<String> undocumented = new ArrayList<>();
    try (JarFile javadoc = new JarFile(artifact(module, "javadoc").toFile())) {
      assertTrue(javadoc.getEntry("index.html") != null, module + " javadoc has an index");
      for (String c : publicApi) {
        if (javadoc.getEntry(c + ".html") == null) {
          undocumented.add(c);
        }
      }
      for (ZipEntry e : java.util.Collections.list(javadoc.entries())) {
        assertTrue(!e.getName().contains("/internal/"), "internal package in the javadoc: " + e.getName());
      }
    }
    assertTrue(publicApi.size() > 10, module + " public types: " + publicApi);
    assertEquals(List.of(), undocumented, module + " public types missing from the javadoc jar");
  }

  /** The class file's access flags: public, read from the bytes (no class loading). */
  private static boolean isPublic(JarFile jar, ZipEntry e) throws IOException {
    byte[] b = jar.getInputStream(e).readAllBytes();
    int i = 10;
    int count = ((b[8] & 0xff) << 8) | (b[9] & 0xff);
    for (int k = 1; k < count; k++) { // skip the constant pool to reach access_flags
      int tag = b[i] & 0xff;
      switch (tag) {
        case 1 -> i += 3 + (((b[i + 1] & 0xff) << 8) | (b[i + 2] & 0xff));
        case 3, 4, 9, 10, 11, 12, 17, 18 -> i += 5;
        case 5, 6 -> {
          i += 9;
          k++;
        }
        case 7, 8, 16, 19, 20 -> i += 3;
        case 15 -> i += 4;
        default -> throw new IOException("constant pool tag " + tag + " in " + e.getName());
      }
    }
    int flags = ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    return (flags & 0x0001) != 0;
  }

  @Test
  void thePomAndTheRepositoryCarryTheReleaseMetadata() throws IOException {
    String pom = Files.readString(root().resolve("pom.xml"));
    for (String element : List.of("<licenses>", "<name>Apache License, Version 2.0</name>", "<scm>", "<url>",
        "<developers>", "<description>")) {
      assertTrue(pom.contains(element), "pom.xml lacks " + element);
    }
    assertTrue(Files.readString(root().resolve("LICENSE")).contains("Apache License"), "LICENSE");
    String changelog = Files.readString(root().resolve("CHANGELOG.md"));
    assertTrue(changelog.contains("## [" + VERSION.replace("-SNAPSHOT", "") + "]"),
        "CHANGELOG.md has a section for " + VERSION);
    assertTrue(changelog.contains("Keep a Changelog"), "CHANGELOG.md says its format");
  }
}
