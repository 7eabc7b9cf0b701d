package io.tether.bench.e2e;

import java.util.concurrent.CompletableFuture;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;

/** Apache HttpClient 5 async with its default settings, one I/O thread, limited to the same connections. */
final class ApacheLoadClient implements LoadClient {
  private final CloseableHttpAsyncClient client;
  private final String uri;

  ApacheLoadClient(String host, int port, int maxConnections) {
    this.uri = "http://" + host + ":" + port + "/";
    PoolingAsyncClientConnectionManager cm = PoolingAsyncClientConnectionManagerBuilder.create()
        .setMaxConnTotal(maxConnections).setMaxConnPerRoute(maxConnections).build();
    client = HttpAsyncClients.custom().setConnectionManager(cm)
        .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).build()).build();
    client.start();
  }

  @Override
  public String name() {
    return "Apache HttpClient 5 async";
  }

  @Override
  public CompletableFuture<Integer> get(int chain) {
    CompletableFuture<Integer> result = new CompletableFuture<>();
    SimpleHttpRequest req = SimpleRequestBuilder.get(uri).build();
    client.execute(req, new FutureCallback<SimpleHttpResponse>() {
      @Override
      public void completed(SimpleHttpResponse res) {
        result.complete(res.getCode());
      }

      @Override
      public void failed(Exception e) {
        result.completeExceptionally(e);
      }

      @Override
      public void cancelled() {
        result.cancel(false);
      }
    });
    return result;
  }

  @Override
  public void close() {
    client.close(CloseMode.GRACEFUL);
  }
}
