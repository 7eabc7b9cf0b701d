package io.tether.netty.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.tether.netty.TetherChannelPool;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.Endpoint;
import io.tether.pool.HealthCheck;
import io.tether.pool.PoolConfig;
import io.tether.pool.ServerState;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The check type is what decides: a server that accepts connections but answers its health path badly
 * is down under an HTTP check and up under a TCP check. Real Netty servers, real check connections.
 */
class HttpHealthCheckTest {
  private static final Duration INTER = Duration.ofMillis(100);

  private EventLoopGroup group;
  private TestHttpServer app1;
  private TestHttpServer app2;

  @BeforeEach
  void setUp() throws Exception {
    group = new NioEventLoopGroup(1);
    app1 = TestHttpServer.plain("app1", Loopback.APP1);
    app2 = TestHttpServer.plain("app2", Loopback.APP2);
  }

  @AfterEach
  void tearDown() {
    app1.close();
    app2.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private TetherChannelPool pool(HealthCheck.Builder check) {
    PoolConfig config = PoolConfig.builder().name("checks")
        .server(Endpoint.of("app1", Loopback.APP1, app1.port()))
        .server(Endpoint.of("app2", Loopback.APP2, app2.port()))
        .healthCheck(check.enabled(true).inter(INTER).fall(1).rise(1).timeout(Duration.ofMillis(500)).build())
        .build();
    return TetherChannelPool.builder(new Bootstrap().group(group).channel(NioSocketChannel.class)).config(config).build();
  }

  private static ServerState state(TetherChannelPool pool, String server) {
    return pool.stats().server(server).state();
  }

  @Test
  void anHttpCheckMarksDownAServerThatAnswersItsHealthPathWith503() throws Exception {
    app1.healthStatus = HttpResponseStatus.SERVICE_UNAVAILABLE;
    TetherChannelPool pool = pool(HealthCheck.builder().http("GET", "/health"));
    try {
      Await.until(Duration.ofSeconds(5), () -> state(pool, "app1") == ServerState.DOWN, () -> pool.stats().toString());
      Await.until(Duration.ofSeconds(5), () -> app2.healthRequests.get() >= 3, () -> pool.stats().toString());
      assertEquals(ServerState.UP, state(pool, "app2"), "a 200 passes");
      assertEquals(0, app1.requests.get() - app1.healthRequests.get(), "the check asked only for its path");
      app1.healthStatus = HttpResponseStatus.OK;
      Await.until(Duration.ofSeconds(5), () -> state(pool, "app1") == ServerState.UP, () -> pool.stats().toString());
    } finally {
      pool.close();
    }
  }

  @Test
  void aTcpCheckOnlyConnects() throws Exception {
    app1.healthStatus = HttpResponseStatus.SERVICE_UNAVAILABLE;
    TetherChannelPool pool = pool(HealthCheck.builder().tcp());
    try {
      int accepted = app1.accepted.get();
      Await.until(Duration.ofSeconds(5), () -> app1.accepted.get() >= accepted + 3, () -> pool.stats().toString());
      assertEquals(ServerState.UP, state(pool, "app1"));
      assertEquals(0, app1.healthRequests.get(), "a TCP check sends no request");
    } finally {
      pool.close();
    }
  }

  @Test
  void theExpectRuleReadsTheBody() throws Exception {
    app1.healthBody = "DOWN for maintenance"; // status 200, and a body the rule refuses
    TetherChannelPool pool = pool(HealthCheck.builder().http("GET", "/health").httpExpect(HealthCheck.Expect.parse("! string DOWN")));
    try {
      Await.until(Duration.ofSeconds(5), () -> state(pool, "app1") == ServerState.DOWN, () -> pool.stats().toString());
      Await.until(Duration.ofSeconds(5), () -> app2.healthRequests.get() >= 3, () -> pool.stats().toString());
      assertEquals(ServerState.UP, state(pool, "app2"));
      assertTrue(app1.healthRequests.get() > 0);
    } finally {
      pool.close();
    }
  }
}
