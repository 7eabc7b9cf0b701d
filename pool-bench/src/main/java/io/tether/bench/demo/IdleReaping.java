package io.tether.bench.demo;

import io.tether.bench.e2e.GapRounds;
import io.tether.bench.e2e.LoadClient;
import io.tether.bench.e2e.NettyPoolLoadClient;
import io.tether.bench.e2e.TetherLoadClient;
import io.tether.netty.testing.Haproxy;
import io.tether.netty.testing.Loopback;
import io.tether.netty.testing.TestHttpServer;
import io.tether.pool.PoolConfig;
import io.tether.pool.haproxy.HaproxyConfig;
import io.tether.pool.PoolListener;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Scenario 1: HAProxy closes keep-alive connections idle for {@value #TIMEOUT_MS} ms; 16 callers send
 * in rounds separated by gaps around that timeout. Netty's FixedChannelPool hands out connections
 * HAProxy is closing; Tether evicts them first, its idle timeout read from the same haproxy.cfg.
 */
final class IdleReaping {
  static final long TIMEOUT_MS = 1000;
  static final int CALLERS = 16;
  static final int ROUNDS = 13; // the first opens the connections and is not counted: 192 requests

  record Outcome(int requests, int failures, String detail) {}

  private IdleReaping() {}

  static Outcome run(boolean tether, Progress progress) throws Exception {
    try (TestHttpServer app1 = TestHttpServer.plain("app1", Loopback.APP1);
        TestHttpServer app2 = TestHttpServer.plain("app2", Loopback.APP2)) {
      int port = Loopback.freePort(Loopback.LB);
      String cfg = "defaults\n  mode http\n  timeout connect 1s\n"
          + "  timeout client " + TIMEOUT_MS + "ms\n  timeout server " + TIMEOUT_MS + "ms\n\n"
          + "frontend fe\n  bind " + Loopback.LB + ":" + port + "\n  default_backend be\n\n"
          + "backend be\n  balance roundrobin\n"
          + "  server app1 " + app1.address() + "\n  server app2 " + app2.address() + "\n";
      ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
      try (Haproxy lb = Haproxy.start(cfg); LoadClient client = client(tether, lb, port)) {
        String label = "[1/4] idle reaping, " + client.name();
        GapRounds.Result r = GapRounds.run(client, CALLERS, ROUNDS, Duration.ofMillis(TIMEOUT_MS * 95 / 100),
            Duration.ofMillis(TIMEOUT_MS * 105 / 100), 1, timer,
            done -> progress.update(label + ": round " + done + "/" + ROUNDS));
        progress.done(String.format("%s: %d of %d requests failed%s", label, r.failures(), r.requests(),
            r.failuresByType().isEmpty() ? "" : " " + r.failuresByType()));
        return new Outcome(r.requests(), r.failures(), r.failuresByType().toString());
      } finally {
        timer.shutdownNow();
      }
    }
  }

  private static LoadClient client(boolean tether, Haproxy lb, int port) {
    if (!tether) {
      return new NettyPoolLoadClient(Loopback.LB, port, 64);
    }
    // The idle timeout comes from HAProxy's own configuration: timeout client of frontend fe.
    PoolConfig config = PoolConfig.builder().maxConnections(64).apply(HaproxyConfig.read(lb.dir().resolve("haproxy.cfg")).frontend("fe")).build();
    return new TetherLoadClient("Tether TetherHttpClient", Loopback.LB, port, config, true, PoolListener.NONE);
  }
}
