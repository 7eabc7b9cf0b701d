package io.tether.netty3;

import io.tether.pool.haproxy.ServerStatus;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jboss.netty.buffer.ChannelBuffers;
import org.jboss.netty.channel.ChannelFutureListener;
import org.jboss.netty.channel.ChannelHandler.Sharable;
import org.jboss.netty.channel.ChannelHandlerContext;
import org.jboss.netty.channel.ChannelStateEvent;
import org.jboss.netty.channel.ExceptionEvent;
import org.jboss.netty.channel.MessageEvent;
import org.jboss.netty.channel.SimpleChannelUpstreamHandler;

/**
 * Netty 3's HAProxy {@code agent-check} responder: on each connection, one line from the {@link
 * ServerStatus}, then a close. See {@link io.tether.netty.server.AgentResponder} for the protocol.
 * Sharable; runs on the accepted channel's I/O thread.
 */
@Sharable
public final class AgentResponder extends SimpleChannelUpstreamHandler {
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
  public void channelConnected(ChannelHandlerContext ctx, ChannelStateEvent e) {
    e.getChannel().write(ChannelBuffers.copiedBuffer(status.agentReply() + "\n", StandardCharsets.US_ASCII))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void messageReceived(ChannelHandlerContext ctx, MessageEvent e) {
    // agent-send: nothing in it changes the answer
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, ExceptionEvent e) {
    e.getChannel().close();
  }
}
