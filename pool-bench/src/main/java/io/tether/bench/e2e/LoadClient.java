package io.tether.bench.e2e;

import java.util.concurrent.CompletableFuture;

/**
 * One HTTP client under test. {@link #get} sends {@code GET /} and completes with the status code once
 * the whole response has been read; {@code chain} (0 to chains-1) names the caller, which only the
 * pool-less floor uses (each caller owns one connection).
 */
public interface LoadClient extends AutoCloseable {

  String name();

  CompletableFuture<Integer> get(int chain);

  /** Connections opened so far, or -1 if the client does not say. */
  default int connectionsOpened() {
    return -1;
  }

  @Override
  void close() throws Exception;
}
