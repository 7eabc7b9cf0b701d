package io.tether.pool.haproxy;

import io.tether.pool.spi.Scheduler;
import io.tether.pool.spi.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The steps of taking a server out from behind HAProxy, for any transport; the Netty adapters
 * ({@code io.tether.netty.server.ServerDrain}, {@code io.tether.netty3.ServerDrain}) give it their
 * connections. {@link #start()}:
 *
 * <ol>
 *   <li>announce: the {@link ServerStatus} goes to DRAINING, which the agent responder and the health
 *       endpoint report at HAProxy's next check;
 *   <li>until HAProxy has seen it ({@link ServerStatus#drainAcknowledged()}) or no connection has
 *       arrived for the quiet period, the transport answers every request with {@code Connection:
 *       close} ({@link #closeAfterResponse()} is true from the announcement on);
 *   <li>then idle connections are closed ({@link Transport#closeIdle()}) and busy ones after their
 *       response;
 *   <li>at the grace time the rest are closed, and the listener.
 * </ol>
 *
 * Thread-safe. Polls every 20 ms on the given scheduler; owns no thread.
 */
public final class DrainSequence {
  /** What a drain did. */
  public record Report(boolean acknowledged, long waitedMillis, int closedIdle, int closedAfterResponse,
      int closedAtGrace) {}

  /** The server's side of a drain. */
  public interface Transport {
    /** {@return how many connections with no request in progress it closed (all of them)} */
    int closeIdle();

    /** {@return connections still open} */
    int open();

    /** {@return how many connections it closed (every one still open)} */
    int closeAll();

    /** {@return a stage that completes once the listener, closed by this call, stopped accepting} */
    CompletionStage<?> closeListener();

    /**
     * The transport of a server that keeps its open connections in {@code open}.
     *
     * @param <C> the connection type
     * @param open the open connections, kept current by the server (thread-safe)
     * @param idle whether a connection has no request in progress
     * @param close closes a connection
     * @param closeListener closes the listener; completes when it has
     * @return the transport
     */
    static <C> Transport over(java.util.Collection<C> open, java.util.function.Predicate<C> idle,
        Consumer<C> close, java.util.function.Supplier<CompletionStage<?>> closeListener) {
      return over(open, idle, close, close, closeListener);
    }

    /**
     * As above, with {@code closeIfIdle} for the idle closes: it runs where the connection's requests are
     * read (its I/O thread) and tests {@code idle} again there, so a request that arrives between the
     * test and the close is answered, not cut (the connection then closes after its response).
     *
     * @param <C> the connection type
     * @param open the open connections, kept current by the caller
     * @param idle whether a connection has no request in progress
     * @param closeIfIdle closes a connection if it is still idle where its requests are read
     * @param close closes a connection whatever it is doing (at the grace time)
     * @param closeListener closes the listener; completes when it has
     * @return the transport
     */
    static <C> Transport over(java.util.Collection<C> open, java.util.function.Predicate<C> idle,
        Consumer<C> closeIfIdle, Consumer<C> close, java.util.function.Supplier<CompletionStage<?>> closeListener) {
      return new Transport() {
        @Override
        public int closeIdle() {
          int n = 0;
          for (C c : open) {
            if (idle.test(c)) {
              n++;
              closeIfIdle.accept(c);
            }
          }
          return n;
        }

        @Override
        public int open() {
          return open.size();
        }

        @Override
        public int closeAll() {
          int n = open.size();
          open.forEach(close);
          return n;
        }

        @Override
        public CompletionStage<?> closeListener() {
          return closeListener.get();
        }
      };
    }
  }

  private static final long POLL_MILLIS = 20;

  private final ServerStatus status;
  private final Transport transport;
  private final Scheduler scheduler;
  private final Ticker ticker;
  private final Duration quietPeriod;
  private final Duration grace;
  private final Consumer<String> log;
  private final AtomicLong lastAccept;
  private final AtomicInteger closedAfterResponse = new AtomicInteger();
  private final AtomicInteger closedIdle = new AtomicInteger();
  private final AtomicInteger closedAtGrace = new AtomicInteger();
  private volatile boolean announced;
  private volatile boolean closing;

  /**
   * A drain of {@code transport}.
   *
   * @param status what the server reports
   * @param transport its connections and listener
   * @param scheduler where the drain waits (an event loop of the server)
   * @param ticker the clock
   * @param quietPeriod without HAProxy's acknowledgement, this long without a new connection counts as
   *     one; e.g. two check intervals; 0 to the grace time
   * @param grace the longest the drain takes
   * @param log receives one line per step (INFO)
   */
  public DrainSequence(ServerStatus status, Transport transport, Scheduler scheduler, Ticker ticker,
      Duration quietPeriod, Duration grace, Consumer<String> log) {
    this.status = Objects.requireNonNull(status, "status");
    this.transport = Objects.requireNonNull(transport, "transport");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.quietPeriod = Objects.requireNonNull(quietPeriod, "quietPeriod");
    this.grace = Objects.requireNonNull(grace, "grace");
    this.log = Objects.requireNonNull(log, "log");
    if (quietPeriod.isNegative() || grace.compareTo(quietPeriod) < 0) {
      throw new IllegalArgumentException("quietPeriod " + quietPeriod + " (expected 0 to grace " + grace + ")");
    }
    this.lastAccept = new AtomicLong(ticker.read());
  }

  /** A connection was accepted; the transport calls it for each. */
  public void accepted() {
    lastAccept.set(ticker.read());
  }

  /** {@return whether responses must now carry {@code Connection: close} and end their connection} */
  public boolean closeAfterResponse() {
    return announced;
  }

  /** {@return whether idle connections are being closed (a new connection is then closed at once)} */
  public boolean closing() {
    return closing;
  }

  /** A connection was closed after its response; the transport calls it for each. */
  public void closedAfterResponse() {
    closedAfterResponse.incrementAndGet();
  }

  /** {@return idle connections closed so far, for meters} */
  public long closedIdleCount() {
    return closedIdle.get();
  }

  /** {@return connections closed after their response so far, for meters} */
  public long closedAfterResponseCount() {
    return closedAfterResponse.get();
  }

  /** {@return connections closed at the grace time, for meters} */
  public long closedAtGraceCount() {
    return closedAtGrace.get();
  }

  /**
   * Runs the drain; call once.
   *
   * @return completes when every connection and the listener are closed
   */
  public CompletableFuture<Report> start() {
    CompletableFuture<Report> done = new CompletableFuture<>();
    long started = ticker.read();
    status.state(ServerStatus.State.DRAINING);
    announced = true;
    log.accept("drain: announced to the balancer; " + transport.open() + " connections open");
    later(() -> waitForAcknowledgement(started, done), done);
    return done;
  }

  private void later(Runnable r, CompletableFuture<Report> done) {
    try {
      scheduler.schedule(r, POLL_MILLIS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      done.completeExceptionally(e); // the server's loop is gone, and its connections with it
    }
  }

  private void waitForAcknowledgement(long started, CompletableFuture<Report> done) {
    long now = ticker.read();
    boolean acked = status.drainAcknowledged();
    boolean quiet = now - lastAccept.get() >= quietPeriod.toNanos();
    boolean late = now - started >= grace.toNanos();
    if (!acked && !quiet && !late) {
      later(() -> waitForAcknowledgement(started, done), done);
      return;
    }
    long waited = TimeUnit.NANOSECONDS.toMillis(now - started);
    log.accept("drain: " + (acked ? "acknowledged by the balancer" : late ? "grace time reached"
        : "no new connection for the quiet period") + " after " + waited + " ms; closing idle connections");
    closing = true;
    int idle = transport.closeIdle();
    closedIdle.addAndGet(idle);
    closeWhenEmpty(started, acked, waited, idle, done);
  }

  private void closeWhenEmpty(long started, boolean acked, long waited, int idle, CompletableFuture<Report> done) {
    boolean late = ticker.read() - started >= grace.toNanos();
    if (transport.open() > 0 && !late) {
      later(() -> closeWhenEmpty(started, acked, waited, idle, done), done);
      return;
    }
    int remaining = transport.closeAll();
    closedAtGrace.addAndGet(remaining);
    transport.closeListener().whenComplete((v, t) -> {
      Report r = new Report(acked, waited, idle, closedAfterResponse.get(), remaining);
      log.accept("drain: done: " + r);
      done.complete(r);
    });
  }
}
