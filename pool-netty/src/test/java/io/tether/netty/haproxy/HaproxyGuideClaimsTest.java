package io.tether.netty.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.netty.testing.Haproxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Statements docs/haproxy.md makes about HAProxy itself, checked against the installed binary and the
 * Debian package's files rather than taken from the manual.
 */
@Tag("haproxy")
@Timeout(30)
class HaproxyGuideClaimsTest {
  private static final String SECTIONS = String.join("\n",
      "defaults",
      "  mode http",
      "  timeout connect 1s",
      "  timeout client 5s",
      "  timeout server 5s",
      "frontend fe",
      "  bind 127.0.0.1:18080", // haproxy -c binds nothing; the port only has to be valid
      "  %s",
      "  default_backend be",
      "backend be",
      "  server s1 127.0.0.1:9",
      "");

  private static Haproxy.Check check(Path dir, String line) throws IOException, InterruptedException {
    Path cfg = dir.resolve("haproxy.cfg");
    Files.writeString(cfg, String.format(SECTIONS, line));
    return Haproxy.check(cfg);
  }

  /** "HAProxy 2.6 refuses to start with it" ({@code option http-tunnel}), with the quoted message. */
  @Test
  void optionHttpTunnelIsRefused(@TempDir Path dir) throws Exception {
    Haproxy.Check c = check(dir, "option http-tunnel");
    assertEquals(1, c.exit(), c.output());
    assertTrue(c.output().contains("option 'http-tunnel' is not supported any more since HAProxy 2.1, please just "
        + "remove it"), c.output());
  }

  /** "a frontend's is ignored, with a warning" ({@code timeout tunnel}). */
  @Test
  void aFrontendsTimeoutTunnelIsIgnoredWithAWarning(@TempDir Path dir) throws Exception {
    Haproxy.Check c = check(dir, "timeout tunnel 1h");
    assertEquals(0, c.exit(), c.output());
    assertTrue(c.output().contains("'timeout tunnel' will be ignored because frontend 'fe' has no backend capability"),
        c.output());
  }

  /** The control: the template itself is valid and quiet, so the two cases above are the lines' doing. */
  @Test
  void theTemplateAloneIsValidWithoutWarnings(@TempDir Path dir) throws Exception {
    Haproxy.Check c = check(dir, "option http-keep-alive");
    assertEquals(0, c.exit(), c.output());
    assertTrue(!c.output().contains("WARNING") && !c.output().contains("ALERT"), c.output());
  }

  /** "Debian's default configuration sets 50s" ({@code timeout client}). */
  @Test
  void debiansDefaultConfigurationSetsTimeoutClientTo50s() throws Exception {
    Path debian = Path.of("/etc/haproxy/haproxy.cfg");
    Assumptions.assumeTrue(Files.isReadable(debian) && Files.exists(Path.of("/usr/share/doc/haproxy")),
        "HAProxy not installed from Debian's package");
    String cfg = Files.readString(debian);
    assertTrue(Pattern.compile("(?m)^\\s*timeout client\\s+50000\\s*$").matcher(cfg).find(), cfg);
  }
}
