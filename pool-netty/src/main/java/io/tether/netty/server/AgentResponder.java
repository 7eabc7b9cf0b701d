package io.tether.netty.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.tether.pool.haproxy.ServerStatus;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Answers HAProxy's {@code agent-check}: on each connection from the balancer, one line saying what
 * {@link ServerStatus} says ({@code up ready [N%] [maxconn:N]}, {@code drain}, {@code maint} or {@code
 * down}), then a close. Serve it from the application's own Netty on a port of its choosing, and point
 * the backend's {@code server} line at it: {@code check agent-check agent-port <port> agent-inter 2s}.
 * Anything HAProxy sends first ({@code agent-send}) is read and ignored.
 *
 * <p>Sharable: one instance as the child handler of a {@code ServerBootstrap}. Runs on the accepted
 * channel's event loop; the status may change from any thread.
 */
@Sharable
public final class AgentResponder extends ChannelInboundHandlerAdapter {
  private final ServerStatus status;

  /**
   * A responder for {@code status}.
   *
   * @param status what to report
   */
  public AgentResponder(ServerStatus status) {
    this.status = Objects.requireNonNull(status, "status");
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(Unpooled.copiedBuffer(status.agentReply() + "\n", StandardCharsets.US_ASCII))
        .addListener(ChannelFutureListener.CLOSE);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg); // agent-send: nothing in it changes the answer
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // the balancer went away mid-answer: nothing to report
  }
}
