package io.tether.netty.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.netty.http.InvalidResponseException;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.RogueServer;
import io.tether.pool.PoolConfig;
import io.tether.pool.ResponseTimeoutException;
import io.tether.pool.internal.TestHooks;
import io.tether.pool.testing.RecordingListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A backend that answers with garbage, a truncated response, an oversized header or body, or too
 * slowly: each request fails with a typed error, its connection is closed as broken, the pool stays
 * consistent, and memory stays bounded.
 */
@Timeout(30)
class MisbehavingBackendTest {
  private EventLoopGroup group;
  private RogueServer rogue;
  private TetherHttpClient client;
  private final RecordingListener events = new RecordingListener();

  @BeforeEach
  void setUp() throws Exception {
    group = new NioEventLoopGroup(1);
    rogue = new RogueServer(Loopback.APP1);
    client = TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
        .config(PoolConfig.builder().server("rogue", Loopback.APP1, rogue.port()).build())
        .retryIdempotentRequests(false)
        .requestTimeout(Duration.ofMillis(500))
        .maxResponseBytes(64 * 1024)
        .listener(events)
        .build();
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    rogue.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private Throwable failure(RogueServer.Mode mode) {
    rogue.mode = mode;
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> client.send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/")).get(10, TimeUnit.SECONDS));
    Await.until(Duration.ofSeconds(5), () -> !events.matching("closed").isEmpty(), () -> events.events.toString());
    assertEquals(List.of("closed rogue broken"), events.matching("closed"), mode + ": closed as broken");
    assertEquals(0, client.stats().total(), mode + ": nothing left open");
    @SuppressWarnings("unchecked")
    io.tether.pool.ConnectionPool<?> engine = client.pool().leases();
    assertEquals(List.of(), TestHooks.checkInvariants(engine));
    return e.getCause();
  }

  private static InvalidResponseException.Kind kind(Throwable t) {
    return assertInstanceOf(InvalidResponseException.class, t).kind();
  }

  @Test
  void garbageBytesAreMalformed() {
    assertEquals(InvalidResponseException.Kind.MALFORMED, kind(failure(RogueServer.Mode.GARBAGE)));
  }

  @Test
  void aResponseThatEndsEarlyIsTruncated() {
    assertEquals(InvalidResponseException.Kind.TRUNCATED, kind(failure(RogueServer.Mode.TRUNCATED)));
  }

  @Test
  void anOversizedHeaderIsRefused() {
    assertEquals(InvalidResponseException.Kind.HEADER_TOO_LARGE, kind(failure(RogueServer.Mode.OVERSIZED_HEADER)));
  }

  @Test
  void anOversizedBodyIsRefusedWithoutReadingIt() {
    assertEquals(InvalidResponseException.Kind.BODY_TOO_LARGE, kind(failure(RogueServer.Mode.OVERSIZED_BODY)));
    // The declared 1 GiB is refused at the headers; only what socket buffers held was ever sent.
    Await.until("the server's write failed once the client closed", Duration.ofSeconds(5), () -> rogue.finished.get() == 1);
    assertTrue(rogue.bodyBytesSent.get() < 16L << 20, "sent " + rogue.bodyBytesSent.get() + " bytes");
  }

  @Test
  void aResponseTrickledSlowerThanTheTimeoutTimesOut() {
    assertInstanceOf(ResponseTimeoutException.class, failure(RogueServer.Mode.SLOW));
  }
}
