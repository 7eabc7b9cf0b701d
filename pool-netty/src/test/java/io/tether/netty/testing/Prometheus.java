package io.tether.netty.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian's {@code prometheus} package) on loopback, scraping one target every
 * second into a throw-away data directory. Queries go through its HTTP API.
 */
public final class Prometheus implements AutoCloseable {
  private static final String BINARY = "/usr/bin/prometheus";
  private final Process process;
  private final Path dir;
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private Prometheus(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  /** Whether the binary is installed ({@code apt-get install prometheus}). */
  public static boolean installed() {
    return Files.isExecutable(Path.of(BINARY));
  }

  /** Starts Prometheus scraping {@code target} ({@code host:port}, path {@code /metrics}) as job "tether". */
  public static Prometheus start(String target) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("tether-prometheus");
    Files.writeString(dir.resolve("prometheus.yml"), "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        + "scrape_configs:\n  - job_name: tether\n    static_configs:\n      - targets: ['" + target + "']\n");
    int port = Loopback.freePort("127.0.0.1");
    Process p = new ProcessBuilder(BINARY, "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    Prometheus prom = new Prometheus(p, dir, port);
    try {
      Await.until("Prometheus scraped its target", Duration.ofSeconds(20), () -> {
        try {
          return prom.query("up{job=\"tether\"}").contains("\"1\"]");
        } catch (IOException e) {
          return false;
        }
      });
    } catch (RuntimeException | Error e) {
      prom.close();
      throw new AssertionError("Prometheus not ready:\n" + Files.readString(dir.resolve("prometheus.log")), e);
    }
    return prom;
  }

  /** {@return the JSON answer of an instant query} */
  public String query(String promql) throws IOException {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(5)).build();
    try {
      return http.send(req, HttpResponse.BodyHandlers.ofString()).body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }
}
