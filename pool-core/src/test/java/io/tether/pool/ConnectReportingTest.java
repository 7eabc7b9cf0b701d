package io.tether.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tether.pool.metrics.PoolMetricsRecorder;
import io.tether.pool.testing.FakeConnector;
import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.FakeTicker;
import io.tether.pool.testing.ManualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What a connect reports, on fake time: the listener's start, success (with how long it took) or
 * failure (with the transport's cause), the metrics recorder's timing and outcome, and the room a
 * failed connect gives back to the acquires still waiting.
 */
class ConnectReportingTest {
  private final FakeTicker ticker = new FakeTicker();
  private final ManualScheduler scheduler = new ManualScheduler(ticker);
  private final FakeConnector connector = new FakeConnector(false);
  private final List<String> events = new CopyOnWriteArrayList<>();

  private ConnectionPool<Conn> pool(PoolConfig.Builder config) {
    connector.manualConnects = true;
    return ConnectionPool.builder(connector).config(config.build()).scheduler(scheduler).ticker(ticker)
        .listener(new PoolListener() {
          @Override
          public void connectStarted(Endpoint endpoint) {
            events.add("start " + endpoint.name());
          }

          @Override
          public void connected(Endpoint endpoint, long connectNanos) {
            events.add("connected " + endpoint.name() + " " + Duration.ofNanos(connectNanos).toMillis() + "ms");
          }

          @Override
          public void connectFailed(Endpoint endpoint, Throwable cause) {
            events.add("failed " + endpoint.name() + " " + cause.getClass().getSimpleName());
          }
        })
        .metrics(new PoolMetricsRecorder() {
          @Override
          public void recordConnect(Endpoint endpoint, long nanos, boolean success) {
            events.add("metric " + endpoint.name() + " " + Duration.ofNanos(nanos).toMillis() + "ms " + success);
          }
        })
        .build();
  }

  @Test
  void aConnectThatSucceedsIsReportedWithItsDuration() {
    ConnectionPool<Conn> pool = pool(PoolConfig.builder().server("app1", "127.0.0.29", 8080));
    CompletableFuture<Lease<Conn>> f = pool.acquire();
    ticker.advance(Duration.ofMillis(7));
    assertEquals(1, connector.completePending(1, e -> false));
    assertTrue(f.isDone());
    assertEquals(List.of("start app1", "metric app1 7ms true", "connected app1 7ms"), events);
    f.join().release();
    pool.close();
  }

  @Test
  void aConnectThatFailsIsReportedAndRetriedOnTheOtherServerUntilRetriesRunOut() {
    ConnectionPool<Conn> pool = pool(PoolConfig.builder().server("app1", "127.0.0.29", 8080)
        .server("app2", "127.0.0.38", 8080).retries(1).redispatch(true));
    CompletableFuture<Lease<Conn>> f = pool.acquire();
    ticker.advance(Duration.ofMillis(3));
    assertEquals(1, connector.completePending(1, e -> true));
    assertFalse(f.isDone(), "one retry left");
    assertEquals(1, connector.pendingConnects(), "the retry is under way");
    ticker.advance(Duration.ofMillis(2));
    assertEquals(1, connector.completePending(1, e -> true));
    assertTrue(f.isCompletedExceptionally());
    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, f::join);
    assertInstanceOf(ConnectFailedException.class, e.getCause());
    List<String> starts = events.stream().filter(s -> s.startsWith("start")).toList();
    assertEquals(2, starts.size(), events.toString());
    assertTrue(!starts.get(0).equals(starts.get(1)), "the retry went to the other server: " + starts);
    assertTrue(events.contains("metric " + starts.get(0).substring(6) + " 3ms false"), events.toString());
    assertTrue(events.contains("metric " + starts.get(1).substring(6) + " 2ms false"), events.toString());
    assertEquals(2, events.stream().filter(s -> s.startsWith("failed ")).count(), events.toString());
    assertEquals(0, pool.stats().total());
    pool.close();
  }

  @Test
  void aFailedConnectGivesItsRoomToAWaitingAcquire() {
    ConnectionPool<Conn> pool = pool(PoolConfig.builder().server("app1", "127.0.0.29", 8080).maxConnections(1)
        .retries(0));
    CompletableFuture<Lease<Conn>> first = pool.acquire();
    CompletableFuture<Lease<Conn>> second = pool.acquire();
    assertEquals(1, connector.pendingConnects(), "room for one connect");
    assertEquals(1, connector.completePending(1, e -> true));
    assertTrue(first.isCompletedExceptionally(), "no retries: the first fails");
    assertFalse(second.isDone());
    assertEquals(1, connector.pendingConnects(), "the room went to the second");
    assertEquals(1, connector.completePending(1, e -> false));
    assertTrue(second.isDone() && !second.isCompletedExceptionally());
    second.join().release();
    pool.close();
  }

  /** A transport that never answers (a shut-down event loop drops listeners) cannot hang the acquire. */
  @Test
  void aConnectTheTransportNeverAnswersIsGivenUpAtTwiceItsTimeoutPlusThirtySeconds() {
    ConnectionPool<Conn> pool = pool(PoolConfig.builder().server("app1", "127.0.0.29", 8080)
        .connectTimeout(Duration.ofSeconds(2)).acquireTimeout(PoolConfig.NO_LIMIT).retries(0));
    CompletableFuture<Lease<Conn>> f = pool.acquire();
    scheduler.advance(Duration.ofSeconds(34).minusNanos(1));
    assertFalse(f.isDone(), "the transport still has until 2 x 2s + 30s");
    scheduler.advance(Duration.ofNanos(1));
    ConnectFailedException e = assertInstanceOf(ConnectFailedException.class,
        org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, f::join).getCause());
    assertTrue(e.getMessage().contains("the transport did not answer the connect within 34000ms"), e.getMessage());
    assertEquals(0, pool.stats().total(), "its room is given back");
    assertEquals(1, connector.completePending(1, x -> false), "the late answer still arrives");
    assertEquals(0, pool.stats().total(), "and is closed, not pooled");
    pool.close();
  }

  @Test
  void withTheConnectTimeoutLeftToTheTransportTheGuardWaitsTwoMinutesAndAHalf() {
    ConnectionPool<Conn> pool = pool(PoolConfig.builder().server("app1", "127.0.0.29", 8080)
        .connectTimeout(Duration.ZERO).acquireTimeout(PoolConfig.NO_LIMIT).retries(0));
    CompletableFuture<Lease<Conn>> f = pool.acquire();
    scheduler.advance(Duration.ofSeconds(150).minusNanos(1));
    assertFalse(f.isDone());
    scheduler.advance(Duration.ofNanos(1));
    assertTrue(f.isCompletedExceptionally(), "2 x 60s + 30s");
    pool.close();
  }

  /** A connect that lands after its server left the rotation is closed, and its acquire tries elsewhere. */
  @Test
  void aConnectCompletingAfterItsServerWentIntoMaintenanceIsClosedAndTheAcquireGoesElsewhere() {
    ConnectionPool<Conn> pool = pool(PoolConfig.builder().server("app1", "127.0.0.29", 8080)
        .server("app2", "127.0.0.38", 8080));
    CompletableFuture<Lease<Conn>> f = pool.acquire();
    String first = events.get(0).substring("start ".length());
    String other = first.equals("app1") ? "app2" : "app1";
    pool.setServerState(first, ServerState.MAINT);
    assertFalse(f.isDone(), "its connect is still under way");
    assertEquals(1, connector.completePending(1, e -> false));
    assertEquals(CloseCause.ENDPOINT_DOWN, connector.closed.peek().closedWith, "the late connection is not kept");
    assertFalse(f.isDone());
    assertEquals(1, connector.pendingConnects(), "a connect to the other server");
    assertEquals(1, connector.completePending(1, e -> false));
    assertEquals(other, f.join().endpoint().name());
    assertEquals(0, pool.stats().server(first).total());
    f.join().release();
    pool.close();
  }
}
