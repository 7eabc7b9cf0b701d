package io.tether.netty.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.IdleClose;
import io.tether.netty.testing.Loopback;
import io.tether.pool.haproxy.HaproxyBuild;
import io.tether.pool.haproxy.HaproxyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Configurations in the style of public projects and of HAProxy's own tests (src/test/resources/
 * haproxy-real: a container image's environment-driven file, an ingress controller's generated file, a
 * database proxy, every section type, TLS and proxy-protocol server options, conditional blocks). Each
 * must pass {@code haproxy -c} with its environment, read without error, and for every frontend the idle
 * closes HAProxy really performs must equal what Tether derives (5% + 30 ms).
 */
@Tag("haproxy")
@Tag("oracle")
@Timeout(120)
class RealConfigsTest {
  private static final List<String> FILES = List.of("docker-env.cfg", "ingress-style.cfg", "tcp-database.cfg",
      "every-section.cfg", "tls-servers.cfg", "conditionals.cfg");
  private static final List<String> PORT_VARS = List.of("FE_WEB", "FE_INGRESS", "FE_PG", "FE_REDIS", "FE_SITE",
      "FE_EDGE", "FE_API", "PEER_PORT", "SYSLOG_PORT");

  @Test
  void publicStyleConfigurationsReadAndDeriveWhatHaproxyDoes() throws Exception {
    try (IdleClose.Backend app = new IdleClose.Backend(Loopback.APP1)) {
      Path dir = Files.createTempDirectory("tether-real");
      Map<String, String> env = new HashMap<>();
      for (String v : PORT_VARS) {
        env.put(v, Integer.toString(Loopback.freePort(Loopback.LB)));
      }
      env.putAll(Map.of("BIND_ADDR", Loopback.LB, "APP_HOST", Loopback.APP1, "APP_PORT", Integer.toString(app.port()),
          "DIR", dir.toString(), "KEEPALIVE_TIMEOUT", "700ms", "STAGE", "test", "CLIENT_TIMEOUT", "1300ms"));
      List<String> results = new ArrayList<>();
      for (String name : FILES) {
        Path cfg = Path.of(RealConfigsTest.class.getResource("/haproxy-real/" + name).toURI());
        Haproxy.Check check = Haproxy.check(cfg, env);
        assertEquals(0, check.exit(), name + " passes haproxy -c:\n" + check.output());
        HaproxyConfig parsed = HaproxyConfig.read(cfg, env::get, HaproxyBuild.DEBIAN_12);
        for (String be : parsed.backends()) {
          parsed.explainBackend(be); // every backend reads, or names its line; none here may fail
        }
        ProcessBuilder run = new ProcessBuilder(Haproxy.binary(), "-db", "-f", cfg.toString()).redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".log").toFile());
        run.environment().putAll(env);
        Process p = run.start();
        try {
          for (String fe : parsed.frontends()) {
            Duration derived = parsed.clientIdleTimeout(fe).value();
            Duration fresh = parsed.newConnectionIdleTimeout(fe).value();
            int port = frontendPort(parsed, fe, env);
            HaproxyDifferentialTest.awaitListening(port, p);
            IdleClose.Measured m = IdleClose.measure(Loopback.LB, port, 2600);
            results.add(name + " " + fe + ": derived " + derived + "/" + fresh + ", measured " + m);
            assertClose(name + " " + fe + " after a response", derived, m.afterResponse());
            assertClose(name + " " + fe + " before any request", fresh, m.beforeRequest());
          }
        } finally {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
      results.forEach(r -> System.out.println("real configuration " + r));
      assertTrue(results.size() >= 7, results.toString());
    }
  }

  private static void assertClose(String what, Duration derived, long measured) {
    if (derived == null) {
      assertEquals(-1, measured, what + ": HAProxy closed, Tether derived none");
      return;
    }
    long d = derived.toMillis();
    assertTrue(measured >= 0 && Math.abs(measured - d) <= d * 0.05 + 30, what + ": derived " + d + " ms, measured " + measured);
  }

  /** The port of the frontend's bind line, from the environment variable it names. */
  private static int frontendPort(HaproxyConfig cfg, String fe, Map<String, String> env) {
    return cfg.sections().stream().filter(s -> s.name().equals(fe) && s.kind() != io.tether.pool.haproxy.Section.Kind.BACKEND)
        .flatMap(s -> s.directives().stream()).filter(d -> d.keyword().equals("bind")).findFirst()
        .map(d -> Integer.parseInt(d.arg(0).substring(d.arg(0).lastIndexOf(':') + 1)))
        .orElseThrow(() -> new AssertionError(fe + " has no bind line"));
  }
}
