package io.tether.netty3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tether.netty.testing.Loopback;
import io.tether.netty3.testing.Netty3HttpServer;
import io.tether.pool.PoolConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.netty.bootstrap.ClientBootstrap;
import org.jboss.netty.bootstrap.ServerBootstrap;
import org.jboss.netty.channel.Channel;
import org.jboss.netty.channel.ChannelHandler;
import org.jboss.netty.channel.ChannelPipeline;
import org.jboss.netty.channel.Channels;
import org.jboss.netty.channel.SimpleChannelUpstreamHandler;
import org.jboss.netty.channel.socket.nio.NioClientSocketChannelFactory;
import org.jboss.netty.channel.socket.nio.NioServerSocketChannelFactory;
import org.jboss.netty.handler.codec.http.HttpClientCodec;
import org.jboss.netty.handler.codec.http.HttpRequestDecoder;
import org.jboss.netty.handler.codec.http.HttpResponseEncoder;
import org.jboss.netty.util.HashedWheelTimer;
import org.jboss.netty.util.Timer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The code of docs/netty3.md, run. */
@Tag("netty3")
@Timeout(30)
class Netty3DocsExamplesTest {

  @Test
  void serverExample() {
    ChannelHandler yourHandler = new SimpleChannelUpstreamHandler();
    Timer timer = new HashedWheelTimer();
    NioServerSocketChannelFactory factory =
        new NioServerSocketChannelFactory(Executors.newCachedThreadPool(), Executors.newCachedThreadPool());
    try {
      // snippet: netty3-server
      QuietResetHandler quiet = new QuietResetHandler(); // one, shared by all channels
      IdleCloser.Factory idle = IdleCloser.beforeBalancerTimeout(Duration.ofSeconds(30), 0.9, timer);

      ServerBootstrap bootstrap = new ServerBootstrap(factory);
      bootstrap.setPipelineFactory(() -> {
        ChannelPipeline p = Channels.pipeline(new HttpRequestDecoder(), new HttpResponseEncoder());
        p.addLast("idle", idle.newHandler());  // close keep-alive connections before `timeout server`
        p.addLast("app", yourHandler);
        p.addLast("quiet", quiet);              // last: resets are counted, not thrown at you
        return p;
      });
      // end-snippet
      Channel bound = bootstrap.bind(new InetSocketAddress(Loopback.LB, 0));
      bound.close().awaitUninterruptibly();
      assertEquals(0, quiet.resets());
    } finally {
      timer.stop();
      factory.releaseExternalResources();
    }
  }

  @Test
  void clientExample() throws Exception {
    Timer timer = new HashedWheelTimer();
    NioClientSocketChannelFactory factory =
        new NioClientSocketChannelFactory(Executors.newCachedThreadPool(), Executors.newCachedThreadPool());
    ChannelHandler yourHandler = new SimpleChannelUpstreamHandler();
    try (Netty3HttpServer lb = new Netty3HttpServer("lb", Loopback.LB, false, null)) {
      int lbPort = lb.port();
      // snippet: netty3-client
      ClientBootstrap bootstrap = new ClientBootstrap(factory);
      bootstrap.setPipelineFactory(() -> Channels.pipeline(new HttpClientCodec(), yourHandler));

      Netty3ChannelPool pool = Netty3ChannelPool.builder(bootstrap, timer)
          .config(PoolConfig.builder()
              .server("lb", "127.0.0.1", lbPort)
              .lbIdleTimeout(Duration.ofMinutes(10)) // HAProxy: timeout client 10m -> evict at 9m
              .build())
          .build();

      Channel ch = pool.acquire().get(5, TimeUnit.SECONDS);
      // ... ch.write(request); your handler gets the response ...
      pool.release(ch);
      // end-snippet
      assertEquals(1, pool.stats().idle());
      pool.close();
    } finally {
      timer.stop();
      factory.releaseExternalResources();
    }
  }
}
