package io.tether.netty.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayDeque;
import java.util.concurrent.Flow;

/**
 * The body of one streamed response, as a {@link Flow.Publisher}: event-loop confined, with the
 * channel's auto-read off so that the connection is read only as far as the subscriber asked. Calls
 * from the subscriber on other threads ({@code request}, {@code cancel}) hop to the loop.
 */
final class BodyPublisher implements Flow.Publisher<ByteBuf>, Flow.Subscription {
  private final ChannelHandlerContext ctx;
  private final ExchangeHandler owner;
  private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
  private Flow.Subscriber<? super ByteBuf> subscriber;
  private long demand;
  private boolean ended;
  private Throwable failure;
  private boolean done;
  private boolean draining;

  BodyPublisher(ChannelHandlerContext ctx, ExchangeHandler owner) {
    this.ctx = ctx;
    this.owner = owner;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super ByteBuf> s) {
    onLoop(() -> {
      if (subscriber != null) {
        s.onSubscribe(this);
        s.onError(new IllegalStateException("a response body takes one subscriber"));
        return;
      }
      subscriber = s;
      s.onSubscribe(this);
      drain();
    });
  }

  @Override
  public void request(long n) {
    onLoop(() -> {
      if (done) {
        return;
      }
      if (n <= 0) {
        cancelNow();
        subscriber.onError(new IllegalArgumentException("request(" + n + "): Flow rule 3.9"));
        return;
      }
      demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
      drain();
    });
  }

  @Override
  public void cancel() {
    onLoop(this::cancelNow);
  }

  private void cancelNow() {
    if (done) {
      return;
    }
    done = true;
    releaseQueued();
    owner.streamCancelled(this);
  }

  /** A chunk read off the connection; the publisher owns it now. */
  void push(ByteBuf chunk) {
    if (done) {
      chunk.release();
      return;
    }
    queue.add(chunk);
    drain();
  }

  /** The body ended cleanly. */
  void end() {
    ended = true;
    drain();
  }

  /** The body cannot be read to its end. */
  void fail(Throwable cause) {
    if (done) {
      return;
    }
    failure = cause;
    releaseQueued();
    drain();
  }

  private void drain() {
    if (draining || subscriber == null || done) {
      return;
    }
    draining = true;
    try {
      while (demand > 0 && !queue.isEmpty() && !done) {
        demand--;
        subscriber.onNext(queue.poll());
      }
      if (done) {
        return;
      }
      if (failure != null) {
        done = true;
        subscriber.onError(failure);
      } else if (ended && queue.isEmpty()) {
        done = true;
        owner.streamEnded(this);
        subscriber.onComplete();
      } else if (demand > 0 && queue.isEmpty()) {
        ctx.read(); // auto-read is off: the next chunk comes only when asked for
      }
    } finally {
      draining = false;
    }
  }

  private void releaseQueued() {
    ByteBuf b;
    while ((b = queue.poll()) != null) {
      b.release();
    }
  }

  private void onLoop(Runnable r) {
    if (ctx.executor().inEventLoop()) {
      r.run();
    } else {
      try {
        ctx.executor().execute(r);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // the loop is gone and the channel with it
      }
    }
  }
}
