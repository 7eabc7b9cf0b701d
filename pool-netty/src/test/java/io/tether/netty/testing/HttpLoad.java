package io.tether.netty.testing;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.netty.http.TetherHttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keep-alive load for the scenario tests: callers on their own threads, each sending {@code GET /}
 * through a {@link TetherHttpClient} one after another until {@link #stop()}. A 200 counts as ok (its
 * body counted in {@link #bodies}: test backends answer with their name); anything else, a status or an
 * exception, counts as failed and is kept in {@link #failures}.
 */
public final class HttpLoad implements AutoCloseable {
  public final AtomicInteger ok = new AtomicInteger();
  public final AtomicInteger failed = new AtomicInteger();
  /** Every failure, in order: an {@code AssertionError} naming a status other than 200, or the exception. */
  public final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
  /** The bodies of the 200 answers, counted. */
  public final Map<String, Integer> bodies = new ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final long startedAt = System.nanoTime();
  private final List<Thread> threads = new ArrayList<>();

  private HttpLoad() {}

  /**
   * Starts {@code callers} callers on {@code client}, each pausing {@code pause} between its requests
   * (zero: none).
   */
  public static HttpLoad start(TetherHttpClient client, int callers, Duration pause) {
    HttpLoad load = new HttpLoad();
    for (int i = 0; i < callers; i++) {
      Thread t = new Thread(() -> load.call(client, pause.toMillis()), "load-" + i);
      load.threads.add(t);
      t.start();
    }
    return load;
  }

  private void call(TetherHttpClient client, long pauseMillis) {
    while (running.get()) {
      try {
        FullHttpResponse r = client.send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"))
            .get(10, TimeUnit.SECONDS);
        try {
          if (r.status().code() == 200) {
            ok.incrementAndGet();
            bodies.merge(r.content().toString(StandardCharsets.US_ASCII), 1, Integer::sum);
          } else {
            failed.incrementAndGet();
            failures.add(new AssertionError("at +" + sinceStartMillis() + " ms: " + r.status() + " "
                + r.headers() + " " + r.content().toString(StandardCharsets.UTF_8)));
          }
        } finally {
          r.release();
        }
        if (pauseMillis > 0) {
          Thread.sleep(pauseMillis);
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        failed.incrementAndGet();
        failures.add(e);
      }
    }
  }

  private long sinceStartMillis() {
    return (System.nanoTime() - startedAt) / 1_000_000;
  }

  /** {@return how many 200s carried {@code body}} */
  public int servedBy(String body) {
    return bodies.getOrDefault(body, 0);
  }

  /** {@return the first {@code n} failures} */
  public List<Throwable> firstFailures(int n) {
    return failures.stream().limit(n).toList();
  }

  /** Stops every caller and waits for it (each finishes the request it has under way). */
  public void stop() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(15_000);
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
