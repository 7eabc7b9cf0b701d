package io.tether.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tether.pool.CloseCause;
import io.tether.pool.ResponseTimeoutException;
import io.tether.pool.StaleConnectionException;
import io.tether.pool.testing.FakeSignals;
import io.tether.pool.testing.FakeTicker;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Netty 4 pooled-channel handler on an {@link EmbeddedChannel} with frozen time: what reaches the
 * application's handlers, and what the pool is told, for each event.
 */
class PooledChannelHandlerTest {
  private final FakeTicker ticker = new FakeTicker();
  private final FakeSignals signals = new FakeSignals();
  private final List<Object> reachedApp = new ArrayList<>();

  private EmbeddedChannel channel(boolean requestResponse, Duration responseTimeout) {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.pipeline().addLast(PooledChannelHandler.NAME,
        new PooledChannelHandler(this, signals, ticker, responseTimeout, requestResponse));
    ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reachedApp.add(((ByteBuf) msg).toString(StandardCharsets.US_ASCII));
        ((ByteBuf) msg).release();
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        reachedApp.add(cause);
      }
    });
    return ch;
  }

  private static ByteBuf ascii(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }

  @Test
  void bytesOnAnIdleHttpConnectionAreDroppedAndTheConnectionClosed() {
    signals.idle();
    EmbeddedChannel ch = channel(true, Duration.ZERO);
    ByteBuf late = ascii("HTTP/1.1 408 Request Time-out\r\n\r\n");
    ch.writeInbound(late);
    assertEquals(0, late.refCnt(), "the message was released, not leaked");
    assertEquals(List.of(), reachedApp, "nothing reached the application");
    assertFalse(ch.isOpen());
    assertEquals(List.of("peer-closed"), signals.closes, "counted as the peer's doing");
  }

  @Test
  void aHeartbeatOnAnIdleConnectionOfAnotherProtocolIsPassedOn() {
    signals.idle();
    EmbeddedChannel ch = channel(false, Duration.ZERO);
    ch.writeInbound(ascii("PING"));
    assertEquals(List.of("PING"), reachedApp);
    assertTrue(ch.isOpen());
  }

  @Test
  void aResetOfAnIdleConnectionIsQuietAndCounted() {
    signals.idle();
    EmbeddedChannel ch = channel(true, Duration.ZERO);
    ch.pipeline().fireExceptionCaught(new SocketException("Connection reset"));
    assertEquals(List.of(), reachedApp, "no exception reached the application");
    assertFalse(ch.isOpen());
    assertEquals(List.of("peer-reset"), signals.closes);
  }

  @Test
  void aResetUnderAnAwaitedResponseBecomesAStaleConnectionOnce() {
    EmbeddedChannel ch = channel(true, Duration.ZERO);
    ch.writeOutbound(ascii("GET / HTTP/1.1\r\n\r\n"));
    ch.pipeline().fireExceptionCaught(new SocketException("Connection reset"));
    assertEquals(1, reachedApp.size(), String.valueOf(reachedApp));
    StaleConnectionException stale = assertInstanceOf(StaleConnectionException.class, reachedApp.get(0));
    assertTrue(stale.getMessage().contains("app1"), stale.getMessage());
    assertFalse(ch.isOpen());
    assertEquals(List.of("peer-reset"), signals.closes);
    ch.releaseOutbound();
  }

  @Test
  void theResponseTimeoutFiresOnTheChannelsLoopAtItsDeadline() {
    EmbeddedChannel ch = channel(true, Duration.ofSeconds(2));
    ch.writeOutbound(ascii("GET / HTTP/1.1\r\n\r\n"));
    ticker.advance(Duration.ofMillis(1999));
    ch.advanceTimeBy(1999, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertEquals(List.of(), reachedApp, "not yet at 1.999 s");
    ticker.advance(Duration.ofMillis(1));
    ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertInstanceOf(ResponseTimeoutException.class, reachedApp.get(0));
    assertFalse(ch.isOpen(), "closed as broken");
    assertEquals(List.of("locally"), signals.closes, "our own close: the pool counts it broken");
    ch.releaseOutbound();
  }

  @Test
  void aCloseByTheUserIsBrokenAndAFinByThePeerIsPeerClosed() {
    EmbeddedChannel mine = channel(true, Duration.ZERO);
    PooledChannelHandler h = (PooledChannelHandler) mine.pipeline().get(PooledChannelHandler.NAME);
    mine.close();
    assertEquals(List.of("locally"), signals.closes);
    assertEquals(CloseCause.BROKEN, h.inactiveCause());

    FakeSignals theirs = new FakeSignals();
    EmbeddedChannel peer = new EmbeddedChannel(new PooledChannelHandler(this, theirs, ticker, Duration.ZERO, true));
    peer.pipeline().fireChannelInactive(); // the peer's FIN, as the transport reports it
    assertEquals(List.of("peer-closed"), theirs.closes);
  }

  @Test
  void theResponseTimerIsArmedAgainForARequestWrittenWhileItRan() {
    EmbeddedChannel ch = channel(true, Duration.ofSeconds(2));
    ch.writeOutbound(ascii("GET /1 HTTP/1.1\r\n\r\n")); // the timer: due at 2 s
    advance(ch, 500);
    ch.writeInbound(ascii("HTTP/1.1 204 No Content\r\n\r\n")); // answered at 0.5 s
    advance(ch, 1000);
    ch.writeOutbound(ascii("GET /2 HTTP/1.1\r\n\r\n")); // at 1.5 s: due at 3.5 s, the running timer kept
    advance(ch, 500);
    assertEquals(List.of("HTTP/1.1 204 No Content\r\n\r\n"), reachedApp, "at 2 s the second request is not late");
    advance(ch, 1499);
    assertEquals(1, reachedApp.size(), "nor at 3.499 s");
    advance(ch, 1);
    assertInstanceOf(ResponseTimeoutException.class, reachedApp.get(1), "at 3.5 s it is: " + reachedApp);
    assertFalse(ch.isOpen());
    ch.releaseOutbound();
  }

  private void advance(EmbeddedChannel ch, long millis) {
    ticker.advance(Duration.ofMillis(millis));
    ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
  }

  @Test
  void aChannelIsUsableWhileActiveAndNoCloseWasAskedFor() {
    EmbeddedChannel ch = channel(true, Duration.ZERO);
    PooledChannelHandler h = (PooledChannelHandler) ch.pipeline().get(PooledChannelHandler.NAME);
    ch.attr(PooledChannelHandler.KEY).set(h);
    assertTrue(PooledChannelHandler.usable(ch));
    assertTrue(h.isUsable(ch));
    h.closing(); // the pool's connector asked for a close that has not run yet
    assertTrue(ch.isActive());
    assertFalse(PooledChannelHandler.usable(ch));
    assertFalse(h.isUsable(ch));

    EmbeddedChannel foreign = new EmbeddedChannel();
    assertTrue(PooledChannelHandler.usable(foreign), "a channel with no pool handler: its activity decides");
    foreign.close();
    assertFalse(PooledChannelHandler.usable(foreign));
    EmbeddedChannel inactive = channel(true, Duration.ZERO);
    PooledChannelHandler h2 = (PooledChannelHandler) inactive.pipeline().get(PooledChannelHandler.NAME);
    inactive.close();
    assertFalse(h2.isUsable(inactive));
  }

  @Test
  void aChannelBelongsToThePoolThatOpenedItAndReturnsFromItsUserOnce() {
    PooledChannelHandler h = new PooledChannelHandler(this, signals, ticker, Duration.ZERO, true);
    assertTrue(h.ownedBy(this));
    assertFalse(h.ownedBy(new Object()));
    assertFalse(h.returnFromUser(), "never handed out");
    h.handedToUser();
    assertTrue(h.returnFromUser());
    assertFalse(h.returnFromUser(), "a second return is a double release");
  }
}
