package io.tether.bench.e2e;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/** Reactor Netty's HttpClient with its default pool settings, limited to the same connections. */
final class ReactorLoadClient implements LoadClient {
  private static final byte[] EMPTY = new byte[0];
  private final ConnectionProvider provider;
  private final LoopResources loops = LoopResources.create("client-reactor", 1, 1, true);
  private final HttpClient client;
  private final AtomicInteger opened = new AtomicInteger();

  ReactorLoadClient(String host, int port, int maxConnections) {
    provider = ConnectionProvider.builder("bench").maxConnections(maxConnections).build();
    client = HttpClient.create(provider).runOn(loops).host(host).port(port)
        .doOnConnected(c -> opened.incrementAndGet());
  }

  @Override
  public String name() {
    return "Reactor Netty HttpClient";
  }

  @Override
  public CompletableFuture<Integer> get(int chain) {
    return client.get().uri("/")
        .responseSingle((res, body) -> body.asByteArray().defaultIfEmpty(EMPTY).map(b -> res.status().code()))
        .toFuture();
  }

  @Override
  public int connectionsOpened() {
    return opened.get();
  }

  @Override
  public void close() {
    provider.disposeLater().block(Duration.ofSeconds(5));
    loops.disposeLater(Duration.ZERO, Duration.ofSeconds(1)).block(Duration.ofSeconds(5));
  }
}
