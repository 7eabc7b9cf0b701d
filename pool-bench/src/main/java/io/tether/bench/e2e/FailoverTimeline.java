package io.tether.bench.e2e;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.tether.bench.demo.Failover;
import io.tether.bench.report.SvgChart;
import io.tether.netty.http.TetherHttpClient;
import io.tether.netty.testing.Iptables;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.Endpoint;
import io.tether.pool.PoolListener;
import io.tether.pool.ServerState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One failover, request by request: a session sends a GET every 20 ms, pinned to app1; app1 is
 * black-holed (iptables DROP) half a second in. The chart shows each request's latency at the moment
 * it was sent, by the server that answered, with the drop and the mark-down as markers: the requests
 * in flight when app1 went silent wait until Tether marks it down and shuts its sessions down, are
 * retried on app2, and the session stays there. Needs root and iptables.
 *
 * <p>Usage: {@code FailoverTimeline [out-dir]}
 */
public final class FailoverTimeline {
  private FailoverTimeline() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "target/bench");
    Iptables.removeLeftovers();
    NioEventLoopGroup group = new NioEventLoopGroup(1);
    List<double[]> app1 = new ArrayList<>();
    List<double[]> app2 = new ArrayList<>();
    double[] markedDown = {Double.NaN};
    try (TestHttpServer s1 = TestHttpServer.plain("app1", Loopback.APP1);
        TestHttpServer s2 = TestHttpServer.plain("app2", Loopback.APP2)) {
      long[] t0 = {0};
      PoolListener listener = new PoolListener() {
        @Override
        public void stateChanged(Endpoint endpoint, ServerState from, ServerState to, String reason) {
          if (to == ServerState.DOWN && t0[0] != 0) {
            markedDown[0] = (System.nanoTime() - t0[0]) / 1e6;
          }
        }
      };
      try (TetherHttpClient client = TetherHttpClient.builder(new Bootstrap().group(group).channel(NioSocketChannel.class))
          .config(Failover.checkedPair("timeline", s1, s2)).listener(listener).requestTimeout(Duration.ofSeconds(5))
          .build()) {
        String key = Failover.keyPinnedToApp1(client);
        Iptables.Rule rule = null;
        t0[0] = System.nanoTime();
        try {
          List<java.util.concurrent.CompletableFuture<Void>> all = new ArrayList<>();
          for (int i = 0; i < 100; i++) { // 2 s of one request every 20 ms
            long at = t0[0] + TimeUnit.MILLISECONDS.toNanos(20L * i);
            while (System.nanoTime() < at) {
              Thread.onSpinWait();
            }
            if (i == 25) {
              rule = Iptables.drop(Loopback.APP1, s1.port());
            }
            long sent = System.nanoTime();
            double x = 20.0 * i; // when it was due; it left within microseconds of that
            all.add(client.send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"), key)
                .thenAccept(res -> {
                  double y = (System.nanoTime() - sent) / 1e6;
                  String body = res.content().toString(StandardCharsets.UTF_8);
                  res.release();
                  synchronized (app1) {
                    (body.endsWith("app1") ? app1 : app2).add(new double[] {x, y});
                  }
                }));
          }
          java.util.concurrent.CompletableFuture.allOf(all.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
              .get(20, TimeUnit.SECONDS);
        } finally {
          if (rule != null) {
            rule.close();
          }
        }
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    app1.sort((a, b) -> Double.compare(a[0], b[0]));
    app2.sort((a, b) -> Double.compare(a[0], b[0]));
    Files.createDirectories(out);
    SvgChart.line(out.resolve("failover-timeline.svg"), "A pinned session when its server goes silent",
        "ms since start (request sent)", "response time (ms)",
        List.of(SvgChart.series("answered by app1", app1), SvgChart.series("answered by app2", app2)),
        List.of(new SvgChart.Marker(500, "DROP app1"), new SvgChart.Marker(markedDown[0], "app1 marked down")));
    double worst = app2.stream().mapToDouble(p -> p[1]).max().orElse(0);
    String summary = String.format(Locale.ROOT,
        "app1 dropped at 500 ms, marked down at %.0f ms; %d requests answered by app1, %d by app2 "
            + "(slowest %.0f ms: in flight when app1 went silent, retried on app2); none failed%n",
        markedDown[0], app1.size(), app2.size(), worst);
    System.out.print(summary);
    Files.writeString(out.resolve("failover-timeline.md"), summary);
    System.out.println("chart: " + out.resolve("failover-timeline.svg"));
  }
}
