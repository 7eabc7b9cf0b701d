package io.tether.pool.jcstress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link LeaseRaceTests} under jcstress in a JVM of its own (jcstress forks more JVMs and must own
 * their flags). CI runs jcstress's {@code quick} mode in one JVM configuration (C2's scheduling and
 * value-numbering stress flags on) without per-actor split compilation, to stay within CI's budget; every
 * configuration jcstress knows takes 11 minutes on 2 cores. {@code scripts/jcstress.sh} runs the {@code default} mode in every configuration through the
 * same test, with {@code -Dtether.jcstress.mode=default -Dtether.jcstress.allJvmModes=true}.
 */
@Tag("jcstress")
class JcstressTest {
  /** jcstress's progress line; the last one is the run's total. */
  private static final Pattern SUMMARY =
      Pattern.compile("\\(Results: (\\d+) planned; (\\d+) passed, (\\d+) failed, (\\d+) soft errs, (\\d+) hard errs\\)");

  @Test
  void theLeaseProtocolHoldsUnderEveryInterleavingJcstressFinds() throws Exception {
    String mode = System.getProperty("tether.jcstress.mode", "quick");
    Path out = Path.of("target", "jcstress").toAbsolutePath();
    Files.createDirectories(out);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("org.openjdk.jcstress.Main");
    cmd.addAll(List.of("-m", mode, "-t", LeaseRaceTests.class.getName().replace("$", "\\$"),
        "-r", out.resolve("results").toString()));
    if (!Boolean.getBoolean("tether.jcstress.allJvmModes")) {
      cmd.addAll(List.of("-sc", "false", "-jvmArgs",
          "-XX:+UnlockDiagnosticVMOptions -XX:+StressLCM -XX:+StressGCM -XX:+StressIGVN -XX:+StressCCP"));
    }
    File log = out.resolve("console.txt").toFile();
    // In target/, where jcstress also leaves its binary results file.
    Process p = new ProcessBuilder(cmd).directory(out.toFile()).redirectErrorStream(true).redirectOutput(log).start();
    boolean done = p.waitFor(20, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly();
    }
    String console = Files.readString(log.toPath(), StandardCharsets.UTF_8);
    assertTrue(done, "jcstress did not finish in 20 minutes:\n" + tail(console));
    Matcher m = SUMMARY.matcher(console);
    String last = null;
    while (m.find()) {
      last = m.group();
    }
    assertTrue(last != null, "no jcstress progress line in its output:\n" + tail(console));
    m = SUMMARY.matcher(last);
    assertTrue(m.find());
    int planned = Integer.parseInt(m.group(1));
    int passed = Integer.parseInt(m.group(2));
    assertEquals(0, Integer.parseInt(m.group(3)) + Integer.parseInt(m.group(4)) + Integer.parseInt(m.group(5)),
        "jcstress found forbidden outcomes or errors (report: " + out.resolve("results") + "):\n" + tail(console));
    // Six tests, each in several JVM and compiler configurations: a run that passed fewer ran nothing.
    assertTrue(planned >= 6 && passed == planned, last);
    assertEquals(0, p.exitValue(), tail(console));
  }

  private static String tail(String s) {
    return s.substring(Math.max(0, s.length() - 4000));
  }
}
