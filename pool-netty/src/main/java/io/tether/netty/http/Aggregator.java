package io.tether.netty.http;

import io.netty.handler.codec.http.HttpObjectAggregator;

/**
 * Netty's aggregator, stepping aside for a streamed response: while {@link #bypass} is on, response
 * parts pass through to the exchange handler as they are decoded. Event-loop confined.
 */
final class Aggregator extends HttpObjectAggregator {
  boolean bypass;

  Aggregator(int maxContentLength) {
    super(maxContentLength);
  }

  @Override
  public boolean acceptInboundMessage(Object msg) throws Exception {
    return !bypass && super.acceptInboundMessage(msg);
  }
}
