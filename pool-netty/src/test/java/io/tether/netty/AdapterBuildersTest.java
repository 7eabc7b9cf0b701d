package io.tether.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.testing.Await;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.netty3.Netty3ChannelPool;
import io.tether.pool.HealthCheck;
import io.tether.pool.PoolConfig;
import io.tether.pool.PoolListener;
import io.tether.pool.ServerState;
import io.tether.pool.metrics.PoolMetricsRecorder;
import io.tether.pool.spi.AdapterBuilder;
import io.tether.pool.spi.HealthProbe;
import io.tether.pool.spi.Ticker;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jboss.netty.bootstrap.ClientBootstrap;
import org.jboss.netty.channel.Channels;
import org.jboss.netty.channel.socket.nio.NioClientSocketChannelFactory;
import org.jboss.netty.util.HashedWheelTimer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The three adapters' builders share one declaration of the options every adapter has
 * ({@link AdapterBuilder}), and each adapter honours them; the HTTP client, which once took no probe and
 * no scheduler, takes both.
 */
@Timeout(30)
class AdapterBuildersTest {
  private static final Set<String> SHARED = Set.of("config", "listener", "metrics", "ticker", "healthProbe");

  @Test
  void everyAdapterBuilderInheritsTheSharedSettersAndRedeclaresNone() {
    for (Class<?> builder : List.of(TetherChannelPool.Builder.class, TetherHttpClient.Builder.class,
        Netty3ChannelPool.Builder.class)) {
      assertSame(AdapterBuilder.class, builder.getSuperclass(), builder.getName());
      List<String> redeclared = Arrays.stream(builder.getDeclaredMethods()).map(Method::getName)
          .filter(SHARED::contains).collect(Collectors.toList());
      assertEquals(List.of(), redeclared, builder.getName() + " declares shared options again");
    }
  }

  @Test
  void sharedSettersChainKeepTheirValuesAndRefuseNull() {
    EventLoopGroup group = new NioEventLoopGroup(1);
    try {
      TetherChannelPool.Builder b = TetherChannelPool.builder(new Bootstrap().group(group));
      PoolConfig config = PoolConfig.builder().name("chained").build();
      PoolListener listener = new PoolListener() {};
      PoolMetricsRecorder metrics = new PoolMetricsRecorder() {};
      Ticker ticker = () -> 42L;
      HealthProbe probe = (e, c) -> CompletableFuture.completedFuture(ServerState.UP);
      // Each shared setter returns the adapter's own builder type, so adapter options chain after it.
      TetherChannelPool.Builder same = b.config(config).listener(listener).metrics(metrics).ticker(ticker)
          .healthProbe(probe).releaseHealthCheck(false);
      assertSame(b, same);
      assertSame(config, b.config());
      assertSame(listener, b.listener());
      assertSame(metrics, b.metrics());
      assertSame(ticker, b.ticker());
      assertSame(probe, b.healthProbe());
      // An adapter built on another hands every shared option over, an unset probe included.
      TetherChannelPool.Builder inner = TetherChannelPool.builder(new Bootstrap().group(group)).healthProbe(probe);
      assertSame(inner, inner.sharedOptionsFrom(TetherHttpClient.builder(new Bootstrap().group(group))
          .config(config).listener(listener).metrics(metrics).ticker(ticker)));
      assertSame(config, inner.config());
      assertSame(listener, inner.listener());
      assertSame(metrics, inner.metrics());
      assertSame(ticker, inner.ticker());
      assertEquals(null, inner.healthProbe(), "the outer builder set none");
      NullPointerException e = assertThrows(NullPointerException.class, () -> b.listener(null));
      assertEquals("listener", e.getMessage());
      assertThrows(NullPointerException.class, () -> b.config(null));
      assertThrows(NullPointerException.class, () -> b.metrics(null));
      assertThrows(NullPointerException.class, () -> b.ticker(null));
      assertThrows(NullPointerException.class, () -> b.healthProbe(null));
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void defaultsAreTheSameOnEveryAdapter() {
    EventLoopGroup group = new NioEventLoopGroup(1);
    HashedWheelTimer timer = new HashedWheelTimer();
    NioClientSocketChannelFactory factory = new NioClientSocketChannelFactory();
    try {
      ClientBootstrap n3 = new ClientBootstrap(factory);
      n3.setPipelineFactory(Channels::pipeline);
      List<AdapterBuilder<?>> builders = new ArrayList<>();
      builders.add(TetherChannelPool.builder(new Bootstrap().group(group)));
      builders.add(TetherHttpClient.builder(new Bootstrap().group(group)));
      builders.add(Netty3ChannelPool.builder(n3, timer));
      for (AdapterBuilder<?> b : builders) {
        assertSame(PoolListener.NONE, b.listener(), b.getClass().getName());
        assertSame(PoolMetricsRecorder.NOOP, b.metrics(), b.getClass().getName());
        assertEquals(null, b.healthProbe(), b.getClass().getName());
        assertEquals(PoolConfig.builder().build().toProperties(), b.config().toProperties());
        long before = System.nanoTime();
        long read = b.ticker().read();
        assertTrue(read >= before && read <= System.nanoTime(), "the default ticker is System.nanoTime");
      }
    } finally {
      factory.releaseExternalResources();
      timer.stop();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void theHttpClientChecksServersWithTheGivenProbeOnTheGivenScheduler() throws Exception {
    EventLoopGroup group = new NioEventLoopGroup(1);
    EventExecutor scheduler = new DefaultEventExecutor();
    TestHttpServer server = TestHttpServer.plain("app1", Loopback.APP1);
    AtomicInteger checks = new AtomicInteger();
    AtomicInteger offScheduler = new AtomicInteger();
    HealthProbe probe = (endpoint, check) -> {
      checks.incrementAndGet();
      if (!scheduler.inEventLoop()) {
        offScheduler.incrementAndGet();
      }
      return CompletableFuture.completedFuture(ServerState.UP);
    };
    TetherHttpClient client = TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
        .config(PoolConfig.builder().server("app1", server.host(), server.port())
            .healthCheck(HealthCheck.builder().enabled(true).inter(Duration.ofMillis(50)).build()).build())
        .healthProbe(probe)
        .scheduler(scheduler)
        .build();
    try {
      Await.until("three checks through the given probe", Duration.ofSeconds(10), () -> checks.get() >= 3);
      assertEquals(0, offScheduler.get(), "checks ran off the given scheduler");
    } finally {
      client.pool().closeAsync().await(5, TimeUnit.SECONDS);
      server.close();
      scheduler.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
