package io.tether.netty.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.IdleClose;
import io.tether.netty.testing.Loopback;
import io.tether.pool.haproxy.HaproxyBuild;
import io.tether.pool.haproxy.HaproxyConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real HAProxy is the oracle for when it closes an idle client connection. A seeded generator writes
 * configurations over the timeout grid (client, http-request, http-keep-alive, server, tunnel, connect;
 * unset, 0 and values; in defaults, named defaults with {@code from}, and sections; mode http and tcp;
 * listen, and frontend plus backend, the same name or not; keywords HAProxy ignores in a section). Each
 * must pass {@code haproxy -c}; then it runs in a real HAProxy, a client sends one request, reads the
 * answer and waits for the close, and a second client connects and sends nothing. Both measured times
 * must equal what {@link HaproxyConfig} derives, within 5% + 30 ms, or both never happen.
 *
 * <p>{@code -Dtether.haproxy.diff.count=1000 -Dtether.haproxy.diff.seed=7} runs a larger or another grid.
 */
@Tag("haproxy")
@Tag("oracle")
@Timeout(240)
class HaproxyDifferentialTest {
  private static final int COUNT = Integer.getInteger("tether.haproxy.diff.count", 200);
  private static final long SEED = Long.getLong("tether.haproxy.diff.seed", 2026);
  /**
   * HAProxy processes measured at once. More, on two cores, delay HAProxy's accept of a new connection by
   * tens of milliseconds, and the time before a first request is counted from the accept.
   */
  private static final int PARALLEL = Integer.getInteger("tether.haproxy.diff.parallel", 10);
  /** A close later than the largest grid value plus slack never came. */
  private static final long NEVER_MS = 2600;

  private static IdleClose.Backend backend;

  @BeforeAll
  static void startBackend() throws IOException {
    backend = new IdleClose.Backend(Loopback.APP1);
  }

  @AfterAll
  static void stopBackend() throws IOException {
    backend.close();
  }

  /** One generated configuration. */
  record Case(int id, String text, String description) {}

  /** Writes configurations over the grid; the same seed writes the same ones. */
  static final class Generator {
    private static final String[] NAMES = {"client", "http-request", "http-keep-alive", "server", "tunnel", "connect"};
    private final Random r;

    Generator(long seed) {
      this.r = new Random(seed);
    }

    private String value() {
      int ms = 100 + 50 * r.nextInt(29); // 100 to 1500 ms
      switch (r.nextInt(4)) {
        case 0:
          return Integer.toString(ms);
        case 1:
          return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
        default:
          return ms + "ms";
      }
    }

    Case next(int id, int port, String server) {
      boolean http = r.nextBoolean();
      boolean upgrade = !http && r.nextInt(6) == 0; // a tcp frontend before an http backend
      int shape = r.nextInt(3); // 0 listen, 1 frontend+backend, 2 the same name for both
      int defaultsShape = r.nextInt(4); // 0 none, 1 one, 2 named + from, 3 a reset then one
      StringBuilder defaults = new StringBuilder();
      StringBuilder fe = new StringBuilder();
      StringBuilder be = new StringBuilder();
      String from = "";
      List<String> notes = new ArrayList<>();
      boolean modeInDefaults = defaultsShape != 0 && r.nextBoolean();
      for (String t : NAMES) {
        int where = r.nextInt(6); // 0 unset, 1-2 defaults, 3 own section, 4 zero, 5 the section that ignores it
        if (defaultsShape == 0 && (where == 1 || where == 2)) {
          where = 3;
        }
        String v = where == 4 ? "0" : value();
        boolean frontendKind = t.equals("client") || t.startsWith("http");
        String line = "  timeout " + t + " " + v + "\n";
        if (where == 0) {
          continue;
        }
        notes.add(t + "=" + v + "@" + where);
        if (where == 1 || where == 2) {
          defaults.append(line);
        } else if (shape == 0) {
          fe.append(line);
        } else if (where == 5) {
          (frontendKind ? be : fe).append(line); // HAProxy warns and ignores it there
        } else {
          (frontendKind ? fe : be).append(line);
        }
      }
      String mode = http ? "http" : "tcp";
      StringBuilder text = new StringBuilder("global\n  maxconn 200\n\n");
      if (defaultsShape == 3) {
        text.append("defaults\n  mode ").append(http ? "tcp" : "http").append("\n  timeout client 50ms\n\n");
      }
      if (defaultsShape == 2) {
        text.append("defaults base\n");
        from = " from base";
      } else if (defaultsShape != 0) {
        text.append("defaults\n");
      }
      if (defaultsShape != 0) {
        if (modeInDefaults) {
          text.append("  mode ").append(mode).append('\n');
        }
        text.append(defaults).append('\n');
      }
      if (defaultsShape == 2 && r.nextBoolean()) {
        text.append("defaults unrelated\n  timeout client 20ms\n  timeout server 20ms\n\n");
      }
      String beMode = upgrade ? "http" : mode;
      if (shape == 0) {
        text.append("listen fe").append(from).append("\n  bind 127.0.0.1:").append(port).append('\n');
        if (!modeInDefaults || upgrade) {
          text.append("  mode ").append(mode).append('\n');
        }
        text.append(fe).append("  server s ").append(server).append('\n');
      } else {
        String beName = shape == 2 ? "fe" : "be";
        text.append("frontend fe").append(from).append("\n  bind 127.0.0.1:").append(port).append('\n');
        if (!modeInDefaults || upgrade) {
          text.append("  mode ").append(mode).append('\n');
        }
        text.append(fe).append("  default_backend ").append(beName).append("\n\n");
        text.append("backend ").append(beName).append(from).append('\n');
        if (!modeInDefaults || upgrade) {
          text.append("  mode ").append(beMode).append('\n');
        }
        text.append(be).append("  server s ").append(server).append('\n');
      }
      String desc = "case " + id + ": " + mode + (upgrade ? "->http" : "") + " shape " + shape + " defaults "
          + defaultsShape + " " + notes;
      return new Case(id, text.toString(), desc);
    }
  }

  @Test
  void derivedIdleTimeoutsEqualWhatHaproxyDoes() throws Exception {
    Generator g = new Generator(SEED);
    String server = Loopback.APP1 + ":" + backend.port();
    List<Case> cases = new ArrayList<>();
    Map<Integer, Integer> ports = new java.util.HashMap<>();
    java.util.Set<Integer> used = new java.util.HashSet<>();
    for (int i = 0; i < COUNT; i++) {
      int port;
      do {
        port = Loopback.freePort(Loopback.LB); // the kernel may hand a released port out again: never twice here
      } while (!used.add(port));
      ports.put(i, port);
      cases.add(g.next(i, port, server));
    }
    ExecutorService workers = Executors.newFixedThreadPool(PARALLEL);
    List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.atomic.AtomicInteger compared = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger never = new java.util.concurrent.atomic.AtomicInteger();
    try {
      List<Future<?>> all = new ArrayList<>();
      for (Case c : cases) {
        all.add(workers.submit(() -> {
          try {
            check(c, ports.get(c.id()), compared, never, problems);
          } catch (Exception | AssertionError e) {
            problems.add(c.description() + ": " + e + "\n" + c.text());
          }
          return null;
        }));
      }
      for (Future<?> f : all) {
        f.get(200, TimeUnit.SECONDS);
      }
    } finally {
      workers.shutdownNow();
    }
    System.out.printf("haproxy differential: %d configurations, %d timeouts compared, %d never-closing%n",
        cases.size(), compared.get(), never.get());
    assertTrue(problems.isEmpty(), problems.size() + " of " + cases.size() + " disagree:\n" + String.join("\n", problems));
    assertTrue(compared.get() >= COUNT, "most cases close: " + compared.get());
  }

  private static void check(Case c, int port, java.util.concurrent.atomic.AtomicInteger compared,
      java.util.concurrent.atomic.AtomicInteger never, List<String> problems) throws Exception {
    Path dir = Files.createTempDirectory("tether-diff");
    Path cfg = dir.resolve("haproxy.cfg");
    Files.writeString(cfg, c.text());
    Haproxy.Check check = Haproxy.check(cfg);
    assertEquals(0, check.exit(), "haproxy -c refuses " + c.description() + ":\n" + check.output() + c.text());
    HaproxyConfig parsed = HaproxyConfig.read(cfg, name -> null, HaproxyBuild.DEBIAN_12);
    Duration after = parsed.clientIdleTimeout("fe").value();
    Duration before = parsed.newConnectionIdleTimeout("fe").value();
    Process p = new ProcessBuilder(Haproxy.binary(), "-db", "-f", cfg.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
    try {
      awaitListening(port, p);
      IdleClose.Measured m = IdleClose.measure(Loopback.LB, port, NEVER_MS);
      String got = "measured " + m + ", derived after=" + after + " before=" + before;
      compare(c, "after a response", after, m.afterResponse(), got, compared, never, problems);
      compare(c, "before any request", before, m.beforeRequest(), got, compared, never, problems);
    } finally {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  private static void compare(Case c, String what, Duration derived, long measuredMs, String got,
      java.util.concurrent.atomic.AtomicInteger compared, java.util.concurrent.atomic.AtomicInteger never,
      List<String> problems) {
    if (derived == null || measuredMs < 0) {
      if (derived != null || measuredMs >= 0) {
        problems.add(c.description() + " " + what + ": " + got + "\n" + c.text());
      } else {
        never.incrementAndGet();
      }
      return;
    }
    long d = derived.toMillis();
    if (Math.abs(measuredMs - d) > d * 0.05 + 30) {
      problems.add(c.description() + " " + what + ": " + got + "\n" + c.text());
    }
    compared.incrementAndGet();
  }

  static void awaitListening(int port, Process p) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new AssertionError("haproxy exited with " + p.exitValue());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(Loopback.LB, port), 200);
        return;
      } catch (IOException notYet) {
        TimeUnit.MILLISECONDS.sleep(10);
      }
    }
    throw new AssertionError("haproxy does not listen on " + port);
  }
}
