package io.tether.netty.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The body of an {@code Expect: 100-continue} request, held back until the server's 100 or the end of a
 * short wait (RFC 9110 10.1.1), so that a server refusing the request does not have to read it. One per
 * channel; event-loop confined, like the {@link ExchangeHandler} that owns it.
 */
final class HeldBody {
  /** How long a request waits for the 100 before its body is sent anyway. */
  static final long CONTINUE_WAIT_MILLIS = 1000;

  private LastHttpContent body;
  private ScheduledFuture<?> timer;

  /** Holds {@code part} and runs {@code sendAnyway} on the channel's loop when the wait ends. */
  void hold(ChannelHandlerContext ctx, LastHttpContent part, Runnable sendAnyway) {
    body = part;
    timer = ctx.executor().schedule(sendAnyway, CONTINUE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** {@return the held body, now the caller's to send or release, or null if none is held} */
  LastHttpContent take() {
    LastHttpContent b = body;
    body = null;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    return b;
  }

  /** Releases a body still held; true if there was one, so the request never ended on the connection. */
  boolean drop() {
    LastHttpContent b = take();
    if (b == null) {
      return false;
    }
    b.release();
    return true;
  }
}
