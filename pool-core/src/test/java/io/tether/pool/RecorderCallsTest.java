package io.tether.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.metrics.PoolMetricsRecorder;
import io.tether.pool.testing.FakeConnector;
import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.FakeTicker;
import io.tether.pool.testing.ManualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What the engine tells its metrics recorder, call by call, on fake time: waits and idle ages of
 * acquires, timeouts, servers joining and leaving with their state changes, closes with their ages, the
 * pool's close. The Micrometer binding turns exactly these calls into meters.
 */
class RecorderCallsTest {
  private final FakeTicker ticker = new FakeTicker();
  private final ManualScheduler scheduler = new ManualScheduler(ticker);
  private final FakeConnector connector = new FakeConnector(false);
  private final List<String> calls = new CopyOnWriteArrayList<>();

  private ConnectionPool<Conn> pool(PoolConfig.Builder config) {
    return ConnectionPool.builder(connector).config(config.lbIdleTimeout(Duration.ofMinutes(10)).build())
        .scheduler(scheduler).ticker(ticker).metrics(new PoolMetricsRecorder() {
          @Override
          public void recordAcquire(Endpoint endpoint, long waitNanos, long idleNanos) {
            calls.add("acquire " + endpoint.name() + " waited " + ms(waitNanos) + " idle "
                + (idleNanos < 0 ? "new" : ms(idleNanos)));
          }

          @Override
          public void recordAcquireTimeout(Endpoint endpoint, long waitNanos) {
            calls.add("timeout " + (endpoint == null ? "any" : endpoint.name()) + " " + ms(waitNanos));
          }

          @Override
          public void serverAdded(Endpoint endpoint) {
            calls.add("added " + endpoint.name());
          }

          @Override
          public void serverRemoved(Endpoint endpoint) {
            calls.add("removed " + endpoint.name());
          }

          @Override
          public void recordClose(Endpoint endpoint, CloseCause cause, long ageNanos, boolean wasLeased) {
            calls.add("close " + endpoint.name() + " " + cause + " age " + ms(ageNanos) + (wasLeased ? " leased" : ""));
          }

          @Override
          public void recordStateChange(Endpoint endpoint, ServerState from, ServerState to) {
            calls.add("state " + endpoint.name() + " " + from + "->" + to);
          }

          @Override
          public void poolClosed() {
            calls.add("pool closed");
          }

          @Override
          public boolean wantsIdleAges() {
            return true;
          }
        }).build();
  }

  private static String ms(long nanos) {
    return Duration.ofNanos(nanos).toMillis() + "ms";
  }

  private List<String> matching(String prefix) {
    return calls.stream().filter(c -> c.startsWith(prefix)).toList();
  }

  @Test
  void acquiresReportHowLongTheyWaitedAndHowLongTheirConnectionHadBeenIdle() {
    ConnectionPool<Conn> pool = pool(PoolConfig.builder().server("app1", "127.0.0.29", 8080).maxConnections(1));
    Lease<Conn> first = pool.acquire().join();
    CompletableFuture<Lease<Conn>> second = pool.acquire();
    scheduler.advance(Duration.ofSeconds(3));
    first.release();
    Lease<Conn> got = second.join();
    scheduler.advance(Duration.ofMillis(1500));
    got.release();
    scheduler.advance(Duration.ofMillis(700));
    pool.acquire().join().release();
    assertEquals(List.of("acquire app1 waited 0ms idle new", "acquire app1 waited 3000ms idle 0ms",
        "acquire app1 waited 0ms idle 700ms"), matching("acquire"));
    assertEquals(1, scheduler.pending(), "the served acquire's timeout was cancelled; only the sweep is left");
  }

  @Test
  void timeoutsRemovalsAndClosesAreReported() {
    ConnectionPool<Conn> pool = pool(PoolConfig.builder().server("app1", "127.0.0.29", 8080)
        .server("app2", "127.0.0.38", 8080).maxConnections(1).acquireTimeout(Duration.ofSeconds(2)));
    Lease<Conn> held = pool.acquire().join();
    String server = held.endpoint().name();
    CompletableFuture<Lease<Conn>> waiting = pool.acquire();
    scheduler.advance(Duration.ofSeconds(2));
    assertTrue(waiting.isCompletedExceptionally());
    assertEquals(List.of("timeout any 2000ms"), matching("timeout"));

    scheduler.advance(Duration.ofSeconds(5));
    pool.removeServer(server);
    held.release();
    // The listener also hears DRAIN->MAINT as the server leaves; the recorder hears serverRemoved instead,
    // which drops the server's meters (a state change after it would bring them back).
    assertEquals(List.of("state " + server + " UP->DRAIN"), matching("state"));
    assertEquals(List.of("close " + server + " endpoint-down age 7000ms"), matching("close"));
    assertEquals(List.of("removed " + server), matching("removed"));
    pool.addServer(Endpoint.of("app3", "127.0.0.39", 8080));
    assertEquals(List.of("added app1", "added app2", "added app3"), matching("added"));
    pool.close();
    assertEquals("pool closed", calls.get(calls.size() - 1));
  }

  @Test
  void aConnectionClosedUnderItsHolderIsReportedAsLeased() {
    ConnectionPool<Conn> pool = pool(PoolConfig.builder().server("app1", "127.0.0.29", 8080));
    Lease<Conn> held = pool.acquire().join();
    scheduler.advance(Duration.ofMillis(250));
    held.connection().signals.closedByPeer(true);
    assertEquals(List.of("close app1 peer-reset age 250ms leased"), matching("close"));
    held.release();
  }

  @Test
  void waitersFailedByTheCloseLeaveNoTimeoutBehind() {
    ConnectionPool<Conn> pool = pool(PoolConfig.builder().server("app1", "127.0.0.29", 8080).maxConnections(1)
        .closeTimeout(PoolConfig.NO_LIMIT));
    Lease<Conn> held = pool.acquire().join();
    CompletableFuture<Lease<Conn>> waiting = pool.acquire();
    pool.closeAsync();
    assertTrue(waiting.isCompletedExceptionally());
    assertEquals(0, scheduler.pending(), "the waiter's acquire timeout went with it");
    held.release();
  }
}
