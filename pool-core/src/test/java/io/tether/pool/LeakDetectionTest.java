package io.tether.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tether.pool.spi.LogSink;
import io.tether.pool.metrics.micrometer.PoolMeters;
import io.tether.pool.testing.FakeConnector;
import io.tether.pool.testing.FakeConnector.Conn;
import io.tether.pool.testing.FakeTicker;
import io.tether.pool.testing.ManualScheduler;
import io.tether.pool.testing.RecordingListener;
import io.tether.pool.testing.TestPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A lease never released is reported once, with the stack of the code that took it. */
class LeakDetectionTest {

  private static PoolConfig.Builder config() {
    return PoolConfig.builder().server("app1", "127.0.0.29", 8080).lbIdleTimeout(Duration.ofMinutes(10))
        .leakDetectionThreshold(Duration.ofMinutes(1));
  }

  private Lease<Conn> forgetfulCode(TestPool t) {
    return t.lease(); // acquires and never releases
  }

  @Test
  void aLeaseHeldPastTheThresholdIsReportedOnceWithItsAcquiringStack() {
    TestPool t = new TestPool(config());
    Lease<Conn> leaked = forgetfulCode(t);
    t.advance(Duration.ofSeconds(59));
    assertEquals(List.of(), t.events.matching("leak"), "not yet at 59s");
    t.advance(Duration.ofSeconds(1)); // scans run every half threshold: the one at 1m reports it
    assertEquals(List.of("leak app1 60s"), t.events.matching("leak"));
    StackTraceElement[] stack = t.events.leakSites.peek().getStackTrace();
    assertTrue(java.util.Arrays.stream(stack).anyMatch(f -> f.getMethodName().equals("forgetfulCode")),
        "the stack shows who acquired it");
    t.advance(Duration.ofMinutes(5));
    assertEquals(1, t.events.matching("leak").size(), "reported once");
    leaked.release();
    t.advance(Duration.ofMinutes(5));
    assertEquals(0, t.scheduler.pendingDelays().stream().filter(d -> d.equals(Duration.ofSeconds(30))).count(),
        "no scan scheduled while nothing is leased");
  }

  private java.util.concurrent.CompletableFuture<Lease<Conn>> forgetfulCodeThatWaits(TestPool t) {
    return t.pool.acquire(); // no idle connection: served later, by the thread that finishes the connect
  }

  @Test
  void aLeaseServedByAnotherThreadIsReportedWithTheApplicationsAcquiringStack() throws Exception {
    TestPool t = new TestPool(config());
    t.connector.manualConnects = true;
    java.util.concurrent.CompletableFuture<Lease<Conn>> leased = forgetfulCodeThatWaits(t);
    Thread loop = new Thread(() -> t.connector.completePending(1, e -> false), "event-loop-1");
    loop.start();
    loop.join();
    assertTrue(leased.isDone());
    t.advance(Duration.ofMinutes(1));
    assertEquals(List.of("leak app1 60s"), t.events.matching("leak"));
    Throwable site = t.events.leakSites.peek();
    assertTrue(java.util.Arrays.stream(site.getStackTrace())
        .anyMatch(f -> f.getMethodName().equals("forgetfulCodeThatWaits")), "the application's frame is there");
    assertTrue(!site.getMessage().contains("event-loop-1"), "not the serving thread's stack: " + site.getMessage());
  }

  @Test
  void offByDefault() {
    TestPool t = new TestPool(PoolConfig.builder().lbIdleTimeout(Duration.ofMinutes(10)));
    forgetfulCode(t);
    t.advance(Duration.ofHours(1));
    assertEquals(List.of(), t.events.matching("leak"));
  }

  @Test
  void theWarningCarriesTheStackAndTheMeterCountsIt() {
    List<String> warnings = new ArrayList<>();
    List<Throwable> causes = new ArrayList<>();
    LogSink sink = new LogSink() {
      public boolean isDebugEnabled() {
        return false;
      }

      public void debug(String m) {}

      public void info(String m) {}

      public void warn(String m, Throwable cause) {
        warnings.add(m);
        causes.add(cause);
      }
    };
    FakeTicker ticker = new FakeTicker();
    ManualScheduler scheduler = new ManualScheduler(ticker);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ConnectionPool<Conn> pool = ConnectionPool.builder(new FakeConnector()).config(config().name("orders").build())
        .scheduler(scheduler).ticker(ticker).metrics(new PoolMeters(registry))
        .listener(new RecordingListener()).log(sink).build();
    pool.acquire().join();
    scheduler.advance(Duration.ofMinutes(2));
    assertEquals(List.of("pool orders: a lease of a connection to app1 has been held for 1m and may have leaked; "
        + "it was acquired here:"), warnings);
    assertTrue(causes.get(0).getMessage().startsWith("acquired on "), causes.get(0).getMessage());
    assertEquals(1, registry.get("tether.pool.leaks").tags("server", "app1").counter().count());
  }
}
