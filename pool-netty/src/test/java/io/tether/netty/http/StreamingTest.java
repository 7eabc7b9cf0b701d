package io.tether.netty.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.RogueServer;
import io.tether.pool.CloseCause;
import io.tether.pool.Endpoint;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolListener;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Streamed bodies: any size, read as fast as the subscriber asks, the connection reused or closed. */
class StreamingTest {
  private EventLoopGroup group;
  private RogueServer server;
  private TetherHttpClient client;
  private final List<CloseCause> closes = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    group = new NioEventLoopGroup(1);
    server = new RogueServer(Loopback.APP1);
    server.mode = RogueServer.Mode.STREAM;
    client = TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
        .config(PoolConfig.builder().name("stream").server("s", Loopback.APP1, server.port()).maxConnections(1).build())
        .listener(new PoolListener() {
          @Override
          public void closed(Endpoint endpoint, CloseCause cause, Throwable detail) {
            closes.add(cause);
          }
        })
        .requestTimeout(Duration.ofMinutes(2))
        .build();
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    server.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Requests one chunk at a time, counts and releases; cancels after {@code cancelAfter} bytes. */
  private static final class Counting implements Flow.Subscriber<ByteBuf> {
    final CompletableFuture<Long> done = new CompletableFuture<>();
    final long cancelAfter;
    long bytes;
    long maxHeap;
    long maxDirect;
    Flow.Subscription subscription;

    Counting(long cancelAfter) {
      this.cancelAfter = cancelAfter;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(1);
    }

    @Override
    public void onNext(ByteBuf chunk) {
      long before = bytes;
      bytes += chunk.readableBytes();
      chunk.release();
      if (before >> 26 != bytes >> 26) { // every 64 MiB
        maxHeap = Math.max(maxHeap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        maxDirect = Math.max(maxDirect, PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory());
      }
      if (bytes >= cancelAfter) {
        subscription.cancel();
        done.complete(bytes);
        return;
      }
      subscription.request(1);
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      done.complete(bytes);
    }
  }

  private StreamedResponse head() throws Exception {
    return client.stream(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/big"), null)
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void aGibibyteBodyPassesThroughWithFlatMemoryAndTheConnectionIsReused() throws Exception {
    long gib = 1L << 30;
    server.streamBytes = gib;
    System.gc();
    long heapBefore = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    StreamedResponse r = head();
    assertEquals(200, r.status().code());
    assertEquals(String.valueOf(gib), r.headers().get("content-length"));
    Counting c = new Counting(Long.MAX_VALUE);
    r.body().subscribe(c);
    assertEquals(gib, c.done.get(2, TimeUnit.MINUTES));
    System.out.printf("streamed 1 GiB: heap %d MiB before, at most %d MiB during; pooled direct memory at most %d MiB%n",
        heapBefore >> 20, c.maxHeap >> 20, c.maxDirect >> 20);
    assertTrue(c.maxDirect < 64L << 20, "direct memory held: " + (c.maxDirect >> 20) + " MiB");
    assertTrue(c.maxHeap < heapBefore + (256L << 20), "heap grew to " + (c.maxHeap >> 20) + " MiB");

    server.streamBytes = 5;
    Counting small = new Counting(Long.MAX_VALUE);
    head().body().subscribe(small);
    assertEquals(5, small.done.get(10, TimeUnit.SECONDS));
    assertEquals(1, server.accepted.get(), "a body read to its end leaves the connection reusable");
    Await.until(Duration.ofSeconds(2), () -> client.stats().leased() == 0, () -> client.stats().toString());
  }

  @Test
  void cancellingTheBodyClosesTheConnection() throws Exception {
    server.streamBytes = 1L << 30;
    Counting c = new Counting(8L << 20);
    head().body().subscribe(c);
    assertTrue(c.done.get(30, TimeUnit.SECONDS) >= 8L << 20);
    Await.until(Duration.ofSeconds(2), () -> client.stats().leased() == 0 && closes.contains(CloseCause.ABANDONED),
        () -> client.stats() + " " + closes);
    Await.until(Duration.ofSeconds(5), () -> server.finished.get() == 1, () -> "the server still writes");
    assertTrue(server.bodyBytesSent.get() < 1L << 30, "the body was not read to its end: " + server.bodyBytesSent.get());
  }
}
