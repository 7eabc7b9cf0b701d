package io.tether.netty.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * The response decoder, aware of the exchange: an HTTP/1.1 connection carries exactly one final
 * response per request, so anything decoded while no request waits for one (a response after the
 * response, HAProxy's unsolicited 408, the rest of a body a {@code 204} or a {@code HEAD} response
 * must not have) marks the connection as out of step, and {@link #buffered()} says whether bytes are
 * left over once a response ended. The exchange handler closes such a connection instead of pooling it.
 * In place of {@code HttpClientCodec}'s decoder, whose method queue would otherwise decide whether a
 * response has a body: here the current request's method does. Event-loop confined.
 */
final class FramingDecoder extends HttpResponseDecoder {
  /** The method of the request whose response is due, or null when none is. */
  private HttpMethod awaiting;
  /** Whether the response being decoded is interim (1xx other than 101): a final one follows it. */
  private boolean interim;
  /** Something was decoded while no response was due; sticky until the connection closes. */
  private boolean outOfStep;
  /** A 101 arrived: the decoder now passes bytes through undecoded; sticky. */
  private boolean switched;

  /** A request was written: its response is due next. */
  void expect(HttpMethod method) {
    awaiting = method;
  }

  boolean outOfStep() {
    return outOfStep;
  }

  /** Whether the server answered 101 Switching Protocols: the connection left HTTP/1.1. */
  boolean switched() {
    return switched;
  }

  /** Bytes received and not yet decoded into a message. */
  int buffered() {
    return actualReadableBytes();
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
    int before = out.size();
    super.decode(ctx, buffer, out);
    for (int i = before; i < out.size(); i++) {
      Object o = out.get(i);
      if (!(o instanceof HttpObject)) {
        continue; // bytes after a 101: the exchange handler fails the request
      }
      if (o instanceof HttpResponse) {
        if (awaiting == null) {
          outOfStep = true;
        }
        int code = ((HttpResponse) o).status().code();
        switched |= code == 101;
        interim = code >= 100 && code < 200 && code != 101;
      }
      if (o instanceof LastHttpContent) {
        if (awaiting == null) {
          outOfStep = true;
        } else if (!interim) {
          awaiting = null; // the final response is complete: nothing more may come until the next request
        }
      }
    }
  }

  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage msg) {
    // HEAD's response has headers only, whatever its Content-Length says (RFC 9110 9.3.2); the
    // superclass covers 1xx, 204 and 304.
    return HttpMethod.HEAD.equals(awaiting) || super.isContentAlwaysEmpty(msg);
  }
}
