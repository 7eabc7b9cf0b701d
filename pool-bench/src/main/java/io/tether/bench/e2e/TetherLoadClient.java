package io.tether.bench.e2e;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tether.netty.http.TetherHttpClient;
import io.tether.pool.Endpoint;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Tether's HTTP client on one event loop, with the given pool settings. */
public final class TetherLoadClient implements LoadClient {
  private final String name;
  private final NioEventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("client-tether"));
  private final TetherHttpClient client;
  private final String hostHeader;
  private final AtomicInteger opened = new AtomicInteger();

  public TetherLoadClient(String name, String host, int port, PoolConfig config, boolean retry, PoolListener listener) {
    this.name = name;
    this.hostHeader = host + ":" + port;
    // host:port is the one server unless the config names servers or finds them in DNS.
    PoolConfig withServer = config.servers().isEmpty() && !config.discovery().enabled()
        ? config.toBuilder().server(Endpoint.of("lb", host, port)).build() : config;
    PoolListener counting = new PoolListener() {
      @Override
      public void connectStarted(Endpoint endpoint) {
        opened.incrementAndGet();
        listener.connectStarted(endpoint);
      }

      @Override
      public void connected(Endpoint endpoint, long connectNanos) {
        listener.connected(endpoint, connectNanos);
      }

      @Override
      public void connectFailed(Endpoint endpoint, Throwable cause) {
        listener.connectFailed(endpoint, cause);
      }

      @Override
      public void closed(Endpoint endpoint, io.tether.pool.CloseCause cause, Throwable detail) {
        listener.closed(endpoint, cause, detail);
      }
    };
    client = TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
        .config(withServer).retryIdempotentRequests(retry).listener(counting).build();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CompletableFuture<Integer> get(int chain) {
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    req.headers().set(HttpHeaderNames.HOST, hostHeader);
    return client.send(req).thenApply(res -> {
      int code = res.status().code();
      res.release();
      return code;
    });
  }

  @Override
  public int connectionsOpened() {
    return opened.get();
  }

  public TetherHttpClient client() {
    return client;
  }

  @Override
  public void close() {
    client.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
