package io.tether.netty.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.Loopback;
import io.tether.pool.haproxy.HaproxyBuild;
import io.tether.pool.haproxy.HaproxyConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
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

  private static ServerSocket backend;
  private static final ExecutorService BACKEND = Executors.newCachedThreadPool();
  private static final ExecutorService QUIET = Executors.newCachedThreadPool();

  /** An HTTP/1.1 server that answers every request with "ok" and never closes a connection itself. */
  @BeforeAll
  static void startBackend() throws IOException {
    backend = new ServerSocket(0, 512, InetAddress.getByName(Loopback.APP1));
    BACKEND.execute(() -> {
      while (!backend.isClosed()) {
        try {
          Socket s = backend.accept();
          BACKEND.execute(() -> serve(s));
        } catch (IOException closed) {
          return;
        }
      }
    });
  }

  private static void serve(Socket s) {
    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
      byte[] buf = new byte[4096];
      StringBuilder pending = new StringBuilder();
      int n;
      while ((n = in.read(buf)) > 0) {
        pending.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        int end;
        while ((end = pending.indexOf("\r\n\r\n")) >= 0) {
          pending.delete(0, end + 4);
          out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
      }
    } catch (IOException gone) {
      // HAProxy closed its side
    }
  }

  @AfterAll
  static void stopBackend() throws IOException {
    backend.close();
    BACKEND.shutdownNow();
    QUIET.shutdownNow();
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

  /** What one case measured: ms until the idle close after a response, and before any request. */
  record Measured(long afterResponse, long beforeRequest) {}

  @Test
  void derivedIdleTimeoutsEqualWhatHaproxyDoes() throws Exception {
    Generator g = new Generator(SEED);
    String server = Loopback.APP1 + ":" + backend.getLocalPort();
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
    Process check = new ProcessBuilder(Haproxy.binary(), "-c", "-f", cfg.toString()).redirectErrorStream(true).start();
    String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, check.waitFor(), "haproxy -c refuses " + c.description() + ":\n" + out + c.text());
    HaproxyConfig parsed = HaproxyConfig.read(cfg, name -> null, HaproxyBuild.DEBIAN_12);
    Duration after = parsed.clientIdleTimeout("fe").value();
    Duration before = parsed.newConnectionIdleTimeout("fe").value();
    Process p = new ProcessBuilder(Haproxy.binary(), "-db", "-f", cfg.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
    try {
      awaitListening(port, p);
      Measured m = measure(port);
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

  private static void awaitListening(int port, Process p) throws Exception {
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

  /** Both clients at once: one sends a request and waits after the answer, one sends nothing. */
  private static Measured measure(int port) throws Exception {
    try (Socket active = new Socket(); Socket quiet = new Socket()) {
      quiet.connect(new InetSocketAddress(Loopback.LB, port), 1000);
      long quietStart = System.nanoTime();
      // The quiet connection is watched from the moment it exists: each close is timed as it happens.
      java.util.concurrent.CompletableFuture<Long> quietClose = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return waitForClose(quiet, quietStart);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, QUIET);
      active.connect(new InetSocketAddress(Loopback.LB, port), 1000);
      active.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = active.getInputStream();
      byte[] buf = new byte[4096];
      StringBuilder got = new StringBuilder();
      while (!got.toString().endsWith("\r\n\r\nok")) {
        int n = in.read(buf);
        if (n < 0) {
          throw new AssertionError("closed before the answer: " + got);
        }
        got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      }
      long afterResponse = waitForClose(active, System.nanoTime());
      return new Measured(afterResponse, quietClose.get(NEVER_MS * 2, TimeUnit.MILLISECONDS));
    }
  }

  /** Milliseconds from {@code since} until the peer closes (FIN, RST, or HAProxy's 408 then close); -1 if never. */
  private static long waitForClose(Socket s, long since) throws IOException {
    long left = NEVER_MS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    if (left <= 0) {
      return -1;
    }
    s.setSoTimeout((int) left);
    InputStream in = s.getInputStream();
    byte[] buf = new byte[4096];
    try {
      while (in.read(buf) >= 0) {
        // an unsolicited 408 before the close: keep reading until the close itself
        long rest = NEVER_MS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
        if (rest <= 0) {
          return -1;
        }
        s.setSoTimeout((int) rest);
      }
    } catch (SocketTimeoutException e) {
      return -1;
    } catch (IOException reset) {
      // an RST ends it too
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
  }
}
