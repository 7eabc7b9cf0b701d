package io.tether.netty.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.pool.testing.FakeTicker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The server-side idle closer on frozen time: the channel's clock and the closer's ticker move together. */
class IdleCloserTest {
  private final FakeTicker ticker = new FakeTicker();

  private void advance(EmbeddedChannel ch, Duration d) {
    ticker.advance(d);
    ch.advanceTimeBy(d.toNanos(), TimeUnit.NANOSECONDS);
    ch.runPendingTasks();
    ch.runScheduledPendingTasks();
  }

  private EmbeddedChannel channel(IdleCloser.Factory f) {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.pipeline().addLast(f.newHandler());
    return ch;
  }

  @Test
  void closesAnIdleKeepAliveConnectionBeforeTheBalancerTimeout() {
    // HAProxy "timeout server 10s": close at 9s so HAProxy never has to.
    IdleCloser.Factory f = IdleCloser.beforeBalancerTimeout(Duration.ofSeconds(10), 0.9).withTicker(ticker);
    assertEquals(Duration.ofSeconds(9), f.closeAfter());
    EmbeddedChannel ch = channel(f);
    advance(ch, Duration.ofMillis(8999));
    assertTrue(ch.isOpen(), "open at 8.999s");
    advance(ch, Duration.ofMillis(1));
    assertFalse(ch.isOpen(), "closed at 9s");
    assertEquals(1, f.closed());
  }

  @Test
  void activityPushesTheDeadline() {
    IdleCloser.Factory f = IdleCloser.beforeBalancerTimeout(Duration.ofSeconds(10), 0.9).withTicker(ticker);
    EmbeddedChannel ch = channel(f);
    advance(ch, Duration.ofSeconds(5));
    ch.writeInbound("bytes");
    advance(ch, Duration.ofSeconds(5));
    assertTrue(ch.isOpen(), "idle only 5s since the last read");
    advance(ch, Duration.ofSeconds(4));
    assertFalse(ch.isOpen());
  }

  @Test
  void neverClosesWhileARequestIsInProgress() {
    IdleCloser.Factory f = IdleCloser.beforeBalancerTimeout(Duration.ofSeconds(10), 0.9).withTicker(ticker);
    EmbeddedChannel ch = channel(f);
    ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/slow"));
    advance(ch, Duration.ofSeconds(30));
    assertTrue(ch.isOpen(), "a slow request is not idleness");
    ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    advance(ch, Duration.ofSeconds(9));
    assertFalse(ch.isOpen(), "9s after the response went out");
    assertEquals(1, f.closed());
  }
}
