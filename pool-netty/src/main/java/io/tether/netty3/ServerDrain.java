package io.tether.netty3;

import io.tether.pool.haproxy.DrainSequence;
import io.tether.pool.haproxy.ServerStatus;
import io.tether.pool.spi.Scheduler;
import io.tether.pool.spi.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.netty.channel.Channel;
import org.jboss.netty.channel.ChannelFutureListener;
import org.jboss.netty.channel.ChannelHandler.Sharable;
import org.jboss.netty.channel.ChannelHandlerContext;
import org.jboss.netty.channel.ChannelStateEvent;
import org.jboss.netty.channel.MessageEvent;
import org.jboss.netty.channel.SimpleChannelHandler;
import org.jboss.netty.handler.codec.http.HttpChunk;
import org.jboss.netty.handler.codec.http.HttpHeaders;
import org.jboss.netty.handler.codec.http.HttpRequest;
import org.jboss.netty.handler.codec.http.HttpResponse;
import org.jboss.netty.logging.InternalLogger;
import org.jboss.netty.logging.InternalLoggerFactory;

/**
 * Netty 3's drain: the same {@link DrainSequence} as {@link io.tether.netty.server.ServerDrain}. Netty 3
 * has no scheduler of its own on its I/O threads, so the drain waits on one the application gives
 * ({@link Scheduler#of(java.util.concurrent.ScheduledExecutorService)}). Every accepted channel's
 * pipeline carries {@link #handler()} right after its HTTP codec.
 */
public final class ServerDrain {
  private static final InternalLogger log = InternalLoggerFactory.getInstance(ServerDrain.class);

  private final Set<Channel> open = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<Channel, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Tracker tracker = new Tracker();
  private final DrainSequence sequence;

  /**
   * A drain for the server listening on {@code listener}.
   *
   * @param status what the server's agent and health endpoint report
   * @param listener the server's bound channel, closed at the end
   * @param scheduler where the drain waits
   * @param quietPeriod see {@link DrainSequence}
   * @param grace the longest the drain takes
   */
  public ServerDrain(ServerStatus status, Channel listener, Scheduler scheduler, Duration quietPeriod, Duration grace) {
    Objects.requireNonNull(listener, "listener");
    java.util.function.Predicate<Channel> idle = ch -> {
      AtomicInteger busy = inFlight.get(ch);
      return busy == null || busy.get() == 0;
    };
    // The drain runs on the application's scheduler; a channel reads its requests on its I/O thread,
    // where idleness is tested again before the close (Netty 3 closes at once from any thread).
    DrainSequence.Transport transport = DrainSequence.Transport.over(open, idle,
        ch -> ch.getPipeline().execute(() -> {
          if (idle.test(ch)) {
            ch.close();
          }
        }), Channel::close, () -> {
      CompletableFuture<Void> f = new CompletableFuture<>();
      listener.close().addListener(x -> f.complete(null));
      return f;
    });
    this.sequence = new DrainSequence(status, transport, scheduler, Ticker.system(), quietPeriod, grace, log::info);
  }

  /** {@return the handler to add after the HTTP codec in every accepted channel's pipeline} */
  public SimpleChannelHandler handler() {
    return tracker;
  }

  /** {@return the drain's steps and counts, for {@code ServerMeters}} */
  public DrainSequence sequence() {
    return sequence;
  }

  /**
   * Runs the drain; call once, from any thread.
   *
   * @return completes when the last connection is closed and the listener with it
   */
  public CompletableFuture<DrainSequence.Report> start() {
    return sequence.start();
  }

  @Sharable
  private final class Tracker extends SimpleChannelHandler {
    @Override
    public void channelConnected(ChannelHandlerContext ctx, ChannelStateEvent e) throws Exception {
      Channel ch = e.getChannel();
      inFlight.put(ch, new AtomicInteger());
      open.add(ch);
      sequence.accepted();
      ch.getCloseFuture().addListener(f -> {
        open.remove(ch);
        inFlight.remove(ch);
      });
      if (sequence.closing()) {
        ch.close();
        return;
      }
      super.channelConnected(ctx, e);
    }

    @Override
    public void messageReceived(ChannelHandlerContext ctx, MessageEvent e) throws Exception {
      if (e.getMessage() instanceof HttpRequest) {
        AtomicInteger n = inFlight.get(e.getChannel());
        if (n != null) {
          n.incrementAndGet();
        }
      }
      super.messageReceived(ctx, e);
    }

    @Override
    public void writeRequested(ChannelHandlerContext ctx, MessageEvent e) throws Exception {
      Object msg = e.getMessage();
      boolean draining = sequence.closeAfterResponse();
      boolean last = false;
      if (msg instanceof HttpResponse) {
        HttpResponse res = (HttpResponse) msg;
        if (draining) {
          res.headers().set(HttpHeaders.Names.CONNECTION, HttpHeaders.Values.CLOSE);
        }
        last = !res.isChunked();
      } else if (msg instanceof HttpChunk) {
        last = ((HttpChunk) msg).isLast();
      }
      if (last) {
        AtomicInteger n = inFlight.get(e.getChannel());
        if (n != null) {
          n.decrementAndGet();
        }
        if (draining) {
          sequence.closedAfterResponse();
          e.getFuture().addListener(ChannelFutureListener.CLOSE);
        }
      }
      super.writeRequested(ctx, e);
    }
  }
}
