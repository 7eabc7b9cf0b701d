package io.tether.netty3;

import io.tether.pool.spi.PeerErrors;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.netty.channel.ChannelHandler.Sharable;
import org.jboss.netty.channel.ChannelHandlerContext;
import org.jboss.netty.channel.ExceptionEvent;
import org.jboss.netty.channel.LifeCycleAwareChannelHandler;
import org.jboss.netty.channel.SimpleChannelUpstreamHandler;
import org.jboss.netty.logging.InternalLogger;
import org.jboss.netty.logging.InternalLoggerFactory;

/**
 * The Netty 3 twin of {@code io.tether.netty.server.QuietResetHandler}: a server that a load balancer
 * health-checks or whose idle connections it drops gets "IOException: Connection reset by peer" several
 * times a second; with this handler each such connection is closed, counted and logged at DEBUG, and
 * every other exception passes on unchanged.
 *
 * <p>Add one shared instance last to the pipeline your {@code ChannelPipelineFactory} builds; when added
 * it places a guard first, so resets raised by the socket never travel through your handlers:
 *
 * <pre>{@code
 * QuietResetHandler quiet = new QuietResetHandler();
 * bootstrap.setPipelineFactory(() -> Channels.pipeline(
 *     new HttpRequestDecoder(), new HttpResponseEncoder(), new MyHandler(), quiet));
 * }</pre>
 */
@Sharable
public final class QuietResetHandler extends SimpleChannelUpstreamHandler implements LifeCycleAwareChannelHandler {
  /** Name of the guard placed first in the pipeline. */
  public static final String GUARD_NAME = "tether-quiet-reset-guard";

  private static final InternalLogger log = InternalLoggerFactory.getInstance(QuietResetHandler.class);

  private final LongAdder resets = new LongAdder();
  private final LongAdder brokenPipes = new LongAdder();
  private final Guard guard = new Guard();

  /** {@return connections closed because the peer reset them} */
  public long resets() {
    return resets.sum();
  }

  /** {@return connections closed because a write met a connection the peer had closed} */
  public long brokenPipes() {
    return brokenPipes.sum();
  }

  @Override
  public void beforeAdd(ChannelHandlerContext ctx) {}

  @Override
  public void afterAdd(ChannelHandlerContext ctx) {
    if (ctx.getPipeline().get(GUARD_NAME) == null) {
      ctx.getPipeline().addFirst(GUARD_NAME, guard);
    }
  }

  @Override
  public void beforeRemove(ChannelHandlerContext ctx) {}

  @Override
  public void afterRemove(ChannelHandlerContext ctx) {}

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, ExceptionEvent e) {
    if (!quiet(e)) {
      ctx.sendUpstream(e);
    }
  }

  private boolean quiet(ExceptionEvent e) {
    String kind;
    if (PeerErrors.isReset(e.getCause())) {
      resets.increment();
      kind = "peer-reset";
    } else if (PeerErrors.isBrokenPipe(e.getCause())) {
      brokenPipes.increment();
      kind = "broken-pipe";
    } else {
      return false;
    }
    if (log.isDebugEnabled()) {
      log.debug(e.getChannel() + " closed quietly: " + kind + " (" + e.getCause().getMessage() + ")");
    }
    e.getChannel().close();
    return true;
  }

  @Sharable
  private final class Guard extends SimpleChannelUpstreamHandler {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, ExceptionEvent e) {
      if (!quiet(e)) {
        ctx.sendUpstream(e);
      }
    }
  }
}
