package io.tether.netty.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuietResetHandlerTest {

  /** Records what reaches it, like an application's last handler. */
  private static final class App extends ChannelInboundHandlerAdapter {
    final List<Throwable> seen = new ArrayList<>();

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      seen.add(cause);
    }
  }

  @Test
  void addedLastItStopsResetsBeforeTheyReachTheApplication() {
    QuietResetHandler quiet = new QuietResetHandler();
    App app = new App();
    EmbeddedChannel ch = new EmbeddedChannel(app, quiet);
    assertSame(ch.pipeline().first(), ch.pipeline().get(QuietResetHandler.GUARD_NAME), "guard placed first");

    ch.pipeline().fireExceptionCaught(new SocketException("Connection reset"));
    assertEquals(List.of(), app.seen);
    assertEquals(1, quiet.resets());
    assertFalse(ch.isOpen(), "the connection is closed");
  }

  @Test
  void brokenPipesAreCountedApart() {
    QuietResetHandler quiet = new QuietResetHandler();
    List<String> counted = new ArrayList<>();
    quiet.counter(counted::add);
    EmbeddedChannel ch = new EmbeddedChannel(new App(), quiet);
    ch.pipeline().fireExceptionCaught(new IOException("writevAddresses(..) failed: Broken pipe"));
    assertEquals(1, quiet.brokenPipes());
    assertEquals(0, quiet.resets());
    assertEquals(List.of("broken-pipe"), counted);
  }

  @Test
  void otherExceptionsPassUnchanged() {
    QuietResetHandler quiet = new QuietResetHandler();
    App before = new App();
    EmbeddedChannel ch = new EmbeddedChannel(before, quiet);
    IllegalStateException bug = new IllegalStateException("application bug");
    ch.pipeline().fireExceptionCaught(bug);
    assertEquals(List.of(bug), before.seen, "the application still sees its own errors");
    assertTrue(ch.isOpen());
    assertEquals(0, quiet.resets());
  }

  @Test
  void aResetRaisedAfterTheApplicationIsCaughtByTheHandlerAtTheEnd() {
    QuietResetHandler quiet = new QuietResetHandler();
    ChannelInboundHandlerAdapter app = new ChannelInboundHandlerAdapter();
    EmbeddedChannel ch = new EmbeddedChannel(app, quiet);
    // An application handler raising it itself, e.g. from a failed write's listener: past the guard.
    ch.pipeline().context(app).fireExceptionCaught(new IOException("Connection reset by peer"));
    assertEquals(1, quiet.resets());
    assertFalse(ch.isOpen());
  }

  @Test
  void oneInstanceServesManyChannels() {
    QuietResetHandler quiet = new QuietResetHandler();
    for (int i = 0; i < 3; i++) {
      EmbeddedChannel ch = new EmbeddedChannel(new App(), quiet);
      ch.pipeline().fireExceptionCaught(new SocketException("Connection reset"));
    }
    assertEquals(3, quiet.resets());
  }
}
