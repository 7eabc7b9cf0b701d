package io.tether.netty.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.Flow;

/**
 * A response whose body arrives as it is read: the status and headers now, the body through {@link
 * #body()} with backpressure, so that a body of any size passes through without being held whole. See
 * {@link TetherHttpClient#stream}.
 *
 * <p>The body publisher takes one subscriber. It reads from the connection only as far as the subscriber
 * has requested: each {@code onNext} is one chunk as it came off the socket, which the subscriber owns
 * and must release. The connection goes back to the pool after {@code onComplete}; cancelling the
 * subscription, or a failure ({@code onError}, e.g. a {@link InvalidResponseException} for a response cut
 * short), closes it. Signals come on the connection's event loop.
 */
public final class StreamedResponse {
  private final HttpResponse head;
  private final Flow.Publisher<ByteBuf> body;

  StreamedResponse(HttpResponse head, Flow.Publisher<ByteBuf> body) {
    this.head = head;
    this.body = body;
  }

  /** {@return the status line's status} */
  public HttpResponseStatus status() {
    return head.status();
  }

  /** {@return the response headers} */
  public HttpHeaders headers() {
    return head.headers();
  }

  /** {@return the body, for one subscriber} */
  public Flow.Publisher<ByteBuf> body() {
    return body;
  }

  @Override
  public String toString() {
    return "StreamedResponse{" + head.status() + "}";
  }
}
