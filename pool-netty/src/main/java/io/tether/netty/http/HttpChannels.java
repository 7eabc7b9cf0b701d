package io.tether.netty.http;

import io.netty.channel.Channel;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.tether.pool.spi.Ticker;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The pipeline of each HTTP/1.1 connection the client's pool opens: the framing decoder, the request
 * encoder, the aggregator and the exchange handler, which the client finds again through {@link
 * ExchangeHandler#KEY}. Called on the new channel's event loop.
 */
final class HttpChannels extends AbstractChannelPoolHandler {
  private final Duration requestTimeout;
  private final Duration firstByteTimeout;
  private final Ticker ticker;
  private final int maxResponseBytes;
  private final Consumer<HttpResponse> interim;

  HttpChannels(Duration requestTimeout, Duration firstByteTimeout, Ticker ticker, int maxResponseBytes,
      Consumer<HttpResponse> interim) {
    this.requestTimeout = requestTimeout;
    this.firstByteTimeout = firstByteTimeout;
    this.ticker = ticker;
    this.maxResponseBytes = maxResponseBytes;
    this.interim = interim;
  }

  @Override
  public void channelCreated(Channel ch) {
    FramingDecoder framing = new FramingDecoder();
    Aggregator aggregator = new Aggregator(maxResponseBytes);
    ExchangeHandler exchange = new ExchangeHandler(requestTimeout, firstByteTimeout, ticker, framing, aggregator, interim);
    ch.attr(ExchangeHandler.KEY).set(exchange);
    ch.pipeline()
        .addLast("http-decoder", framing)
        .addLast("http-encoder", new HttpRequestEncoder())
        .addLast("http-aggregator", aggregator)
        .addLast(ExchangeHandler.NAME, exchange);
  }
}
