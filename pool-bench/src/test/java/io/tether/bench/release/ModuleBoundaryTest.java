package io.tether.bench.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jars' module descriptors, as an application on the module path meets them: the user API and the
 * transport SPI are readable, the engine and the adapters' internals are not (javac refuses an import of
 * them), and a module-path application runs against the jars this build made.
 */
class ModuleBoundaryTest {
  @TempDir Path dir;

  private static final String VERSION = System.getProperty("tether.version");

  /** pool-core and pool-netty as built, then Netty 4 and Micrometer from this module's class path. */
  private static String modulePath() {
    List<String> path = new ArrayList<>();
    for (String module : List.of("pool-core", "pool-netty")) {
      Path jar = ReleaseArtifactsTest.root().resolve(module).resolve("target").resolve(module + "-" + VERSION + ".jar");
      assertTrue(Files.exists(jar), jar + " is missing: build it first (mvn verify from the root)");
      path.add(jar.toString());
    }
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString();
      if ((entry.contains("/io/netty/") && name.startsWith("netty-") && !name.contains("native"))
          || name.startsWith("micrometer-core") || name.startsWith("micrometer-commons")
          || name.startsWith("micrometer-observation") || name.startsWith("HdrHistogram")
          || name.startsWith("LatencyUtils")) {
        path.add(entry);
      }
    }
    return String.join(java.io.File.pathSeparator, path);
  }

  /** Compiles a module {@code demo.app} of the given sources; returns javac's diagnostics ("" if none). */
  private String compile(String descriptor, String className, String source) throws IOException {
    Path src = dir.resolve("src");
    Files.createDirectories(src.resolve("demo"));
    Files.writeString(src.resolve("module-info.java"), descriptor);
    Files.writeString(src.resolve("demo").resolve(className + ".java"), source);
    java.util.spi.ToolProvider javac = java.util.spi.ToolProvider.findFirst("javac").orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int rc;
    try (PrintWriter w = new PrintWriter(out, true, StandardCharsets.UTF_8)) {
      // An empty class path: in-process javac would otherwise take this test's, where every class is.
      rc = javac.run(w, w, "-cp", dir.resolve("none").toString(), "-d", dir.resolve("out").toString(), "-p", modulePath(),
          src.resolve("module-info.java").toString(), src.resolve("demo").resolve(className + ".java").toString());
    }
    String diagnostics = out.toString(StandardCharsets.UTF_8);
    return rc == 0 ? "" : diagnostics.isEmpty() ? "exit " + rc : diagnostics;
  }

  @ParameterizedTest
  @CsvSource({"io.tether.pool, io.tether.pool.internal.Engines", "io.tether.netty, io.tether.netty.internal.Loops"})
  void theInternalsAreNotExported(String module, String internalClass) throws IOException {
    String pkg = internalClass.substring(0, internalClass.lastIndexOf('.'));
    String errors = compile("module demo.app { requires " + module + "; }", "Reach",
        "package demo;\npublic class Reach { Object o = " + internalClass + ".class; }\n");
    assertTrue(errors.contains("package " + pkg + " is not visible") && errors.contains("does not export it"), errors);
  }

  @Test
  void anApplicationOnTheModulePathUsesTheApiAndTheSpi() throws Exception {
    String errors = compile(
        "module demo.app { requires io.tether.netty; requires io.netty.transport; }", "Main",
        """
        package demo;
        public class Main {
          public static void main(String[] args) {
            io.tether.pool.PoolConfig config = io.tether.pool.PoolConfig.builder().name("mod").build();
            io.tether.pool.spi.Ticker ticker = io.tether.pool.spi.Ticker.system();
            Module core = io.tether.pool.PoolConfig.class.getModule();
            Module netty = io.tether.netty.TetherChannelPool.class.getModule();
            System.out.println(core.getName() + " " + netty.getName() + " " + config.name() + " "
                + core.isExported("io.tether.pool.internal") + " " + netty.isExported("io.tether.netty.internal") + " "
                + (ticker.read() != 0 || true));
          }
        }
        """);
    assertEquals("", errors);
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(javaBin.toString(), "-p", modulePath() + java.io.File.pathSeparator + dir.resolve("out"),
        "-m", "demo.app/demo.Main").redirectErrorStream(true).start();
    String output;
    try (Stream<String> lines = p.inputReader(StandardCharsets.UTF_8).lines()) {
      output = lines.collect(Collectors.joining("\n"));
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the application did not exit");
    assertEquals("io.tether.pool io.tether.netty mod false false true", output.strip());
  }
}
