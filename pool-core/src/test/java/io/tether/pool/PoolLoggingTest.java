package io.tether.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.spi.LogSink;
import io.tether.pool.testing.FakeConnector;
import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.FakeTicker;
import io.tether.pool.testing.ManualScheduler;
import io.tether.pool.testing.RecordingListener;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What a pool logs through its transport's logger, at which level, while every event still reaches the
 * application's listener: closes and failed connects at DEBUG (only when DEBUG is on), a server leaving
 * the rotation at WARN, coming back at INFO, joining and leaving the pool at INFO.
 */
class PoolLoggingTest {
  private final FakeTicker ticker = new FakeTicker();
  private final FakeConnector connector = new FakeConnector(false);
  private final RecordingListener events = new RecordingListener();
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private ConnectionPool<Conn> pool(boolean debug, PoolConfig.Builder config) {
    LogSink sink = new LogSink() {
      @Override
      public boolean isDebugEnabled() {
        return debug;
      }

      @Override
      public void debug(String message) {
        lines.add("DEBUG " + message);
      }

      @Override
      public void info(String message) {
        lines.add("INFO " + message);
      }

      @Override
      public void warn(String message, Throwable cause) {
        lines.add("WARN " + message);
      }
    };
    return ConnectionPool.builder(connector).config(config.name("logged").build())
        .scheduler(new ManualScheduler(ticker)).ticker(ticker).listener(events).log(sink).build();
  }

  private long count(String level, String containing) {
    return lines.stream().filter(l -> l.startsWith(level + " ") && l.contains(containing)).count();
  }

  @Test
  void everyEventReachesTheListenerAndOnlyServerChangesAreLoggedAboveDebug() {
    ConnectionPool<Conn> pool = pool(true, PoolConfig.builder().server("app1", "127.0.0.29", 8080).maxConnections(1)
        .maxPendingAcquires(1));
    Lease<Conn> lease = pool.acquire().join();
    CompletableFuture<Lease<Conn>> queued = pool.acquire();
    CompletableFuture<Lease<Conn>> rejected = pool.acquire();
    assertTrue(rejected.isCompletedExceptionally());
    lease.release();
    queued.join().release();
    pool.setServerState("app1", ServerState.DRAIN);
    pool.setServerState("app1", ServerState.UP);
    pool.addServer(Endpoint.of("app2", "127.0.0.38", 8080));
    pool.removeServer("app2").join();
    assertEquals(List.of("connect app1", "connected app1", "acquired app1", "acquire-rejected", "released app1",
        "acquired app1", "released app1"), events.events.stream().limit(7).toList());
    assertEquals(1, count("WARN", "server app1"), lines.toString());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("WARN") && l.contains("is DRAIN (was UP)")), lines.toString());
    assertEquals(1, count("INFO", "is UP (was DRAIN)"), lines.toString());
    assertEquals(1, count("INFO", "joined"), lines.toString());
    assertEquals(1, count("INFO", "left (removed"), lines.toString());
    assertEquals(1, count("DEBUG", "closed: endpoint-down"), "its idle connection, when it drained: " + lines);
    pool.close();
  }

  @Test
  void debugLinesAreWrittenOnlyWhenDebugIsOn() {
    for (boolean debug : new boolean[] {true, false}) {
      lines.clear();
      ConnectionPool<Conn> pool = pool(debug, PoolConfig.builder().server("app1", "127.0.0.29", 8080).retries(0));
      pool.acquire().join().release();
      connector.refusing.add("app1");
      pool.transport().closeIdle().join();
      assertTrue(pool.acquire().isCompletedExceptionally(), "refused");
      assertEquals(debug ? 1 : 0, count("DEBUG", "connect to"), lines.toString());
      assertEquals(debug ? 1 : 0, count("DEBUG", "closed: idle-evicted"), lines.toString());
      assertTrue(events.events.contains("connect-failed app1"), events.events.toString());
      assertTrue(events.events.contains("closed app1 idle-evicted"), events.events.toString());
      connector.refusing.clear();
      pool.close();
    }
  }
}
