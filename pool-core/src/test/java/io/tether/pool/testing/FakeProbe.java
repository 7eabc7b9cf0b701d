package io.tether.pool.testing;

import io.tether.pool.Endpoint;
import io.tether.pool.HealthCheck;
import io.tether.pool.spi.HealthProbe;
import io.tether.pool.ServerState;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A health probe whose answer per server the test sets: pass, fail, or never answer. */
public final class FakeProbe implements HealthProbe {
  public enum Answer {
    PASS,
    /** Passes, asking to drain (an HTTP 404 with disable-on-404). */
    DRAIN,
    FAIL,
    /** Fails with an exception that carries no message (a read timeout, say). */
    FAIL_SILENT,
    HANG
  }

  private final FakeTicker ticker;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  /** "app1@2000ms PASS" for each check, in order. */
  public final List<String> log = new CopyOnWriteArrayList<>();
  public final List<CompletableFuture<ServerState>> hanging = new CopyOnWriteArrayList<>();
  /** Ticker time (nanos) of each check, in order. */
  public final List<Long> startedAt = new CopyOnWriteArrayList<>();

  public FakeProbe(FakeTicker ticker) {
    this.ticker = ticker;
  }

  public FakeTicker ticker() {
    return ticker;
  }

  public FakeProbe set(String server, Answer a) {
    answers.put(server, a);
    return this;
  }

  @Override
  public CompletionStage<ServerState> check(Endpoint endpoint, HealthCheck check) {
    Answer a = answers.getOrDefault(endpoint.name(), Answer.PASS);
    log.add(endpoint.name() + "@" + ticker.elapsed().toMillis() + "ms " + a);
    startedAt.add(ticker.read());
    switch (a) {
      case PASS:
        return CompletableFuture.completedFuture(ServerState.UP);
      case DRAIN:
        return CompletableFuture.completedFuture(ServerState.DRAIN);
      case FAIL:
        return CompletableFuture.failedFuture(new java.net.ConnectException("Connection refused"));
      case FAIL_SILENT:
        return CompletableFuture.failedFuture(new java.net.SocketTimeoutException());
      default:
        CompletableFuture<ServerState> f = new CompletableFuture<>();
        hanging.add(f);
        return f;
    }
  }

  /** Check times of {@code server} in ms since the ticker's origin. */
  public List<Long> times(String server) {
    return log.stream().filter(l -> l.startsWith(server + "@"))
        .map(l -> Long.parseLong(l.substring(l.indexOf('@') + 1, l.indexOf("ms")))).toList();
  }
}
