package io.tether.netty.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tether.netty.server.IdleCloser;
import io.tether.netty.server.QuietResetHandler;
import io.tether.netty.server.ServerMeters;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServerMetersTest {
  @Test
  void quietClosesByCauseAndIdleCloses() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    QuietResetHandler quiet = new QuietResetHandler();
    IdleCloser.Factory idle = IdleCloser.beforeBalancerTimeout(Duration.ofSeconds(10), 0.9);
    io.tether.pool.metrics.micrometer.ServerCloseMeters meters = ServerMeters.of("api", quiet, idle);
    meters.bindTo(registry);
    for (int i = 0; i < 3; i++) {
      new EmbeddedChannel(new ChannelInboundHandlerAdapter(), quiet).pipeline().fireExceptionCaught(new SocketException("Connection reset"));
    }
    new EmbeddedChannel(new ChannelInboundHandlerAdapter(), quiet).pipeline().fireExceptionCaught(new IOException("Broken pipe"));
    assertEquals(3, registry.get("tether.server.quiet.closes").tags("server", "api", "cause", "peer-reset").functionCounter().count());
    assertEquals(1, registry.get("tether.server.quiet.closes").tags("server", "api", "cause", "broken-pipe").functionCounter().count());
    assertEquals(0, registry.get("tether.server.idle.closes").tags("server", "api").functionCounter().count());
    meters.close();
    assertEquals(0, registry.getMeters().size());
  }

  @Test
  void metersKeepCountingWhenTheCallerDropsTheBinder() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    QuietResetHandler quiet = new QuietResetHandler();
    ServerMeters.of("api", quiet, null).bindTo(registry); // the docs' one-liner: the result is discarded
    for (int i = 0; i < 5; i++) {
      System.gc(); // Micrometer holds a function counter's object weakly: give a collector every chance
      Thread.sleep(20);
    }
    for (int i = 0; i < 4; i++) {
      new EmbeddedChannel(new ChannelInboundHandlerAdapter(), quiet).pipeline()
          .fireExceptionCaught(new SocketException("Connection reset"));
    }
    assertEquals(4, registry.get("tether.server.quiet.closes").tags("server", "api", "cause", "peer-reset")
        .functionCounter().count());
  }
}
