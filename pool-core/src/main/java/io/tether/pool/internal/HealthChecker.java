package io.tether.pool.internal;

import io.tether.pool.DurationSyntax;
import io.tether.pool.HealthCheck;
import io.tether.pool.HealthProbe;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Active checks of one server, HAProxy's way: a check every {@code inter} while up, every {@code
 * fastinter} while changing state, every {@code downinter} while down; {@code fall} failures in a row
 * mark it down, {@code rise} successes up. Checks start on a steady cadence (each {@code interval} after
 * the previous one started), run on the pool's scheduler, and never wait past {@code timeout}: a probe
 * answering late is ignored. Silent failure is therefore detected within about {@code inter + timeout}.
 */
final class HealthChecker<C> {
  private final PoolEngine<C> engine;
  private final ServerPool<C> server;
  private final HealthProbe probe;
  private volatile HealthCheck cfg;
  private volatile boolean stopped;

  // Guarded by this.
  private int successes;
  private int failures;
  private long round;
  private long finishedRound;
  private long roundStart;

  HealthChecker(PoolEngine<C> engine, ServerPool<C> server, HealthProbe probe, HealthCheck cfg) {
    this.engine = engine;
    this.server = server;
    this.probe = probe;
    this.cfg = cfg;
  }

  void start(long delayNanos) {
    engine.scheduleTask(this::run, delayNanos);
  }

  /** New settings from a live reconfiguration; the next check uses them. */
  void configure(HealthCheck c) {
    this.cfg = c;
  }

  /** Checks turned off: the scheduled round does nothing and schedules no other. */
  void stop() {
    stopped = true;
  }

  /** Forget the streak, e.g. when the server leaves maintenance and must rise again. */
  synchronized void reset() {
    successes = 0;
    failures = 0;
  }

  private void run() {
    if (engine.isClosed() || stopped) {
      return;
    }
    HealthCheck cfg = this.cfg;
    long now = engine.ticker.read();
    if (server.admin == ServerPool.Admin.MAINT) {
      engine.scheduleTask(this::run, cfg.inter().toNanos()); // checks pause in maintenance, as in HAProxy
      return;
    }
    long r;
    synchronized (this) {
      r = ++round;
      roundStart = now;
    }
    long timeoutNanos = cfg.timeout().toNanos();
    io.tether.pool.Scheduler.Cancellable timer = engine.scheduleTask(
        () -> finish(r, false, "check timed out after " + DurationSyntax.format(cfg.timeout())), timeoutNanos);
    CompletionStage<?> stage;
    try {
      stage = probe.check(server.endpoint, cfg.timeout());
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((v, e) -> {
      timer.cancel();
      finish(r, e == null, e == null ? "check passed" : "check failed: " + describe(e));
    });
  }

  private void finish(long r, boolean ok, String reason) {
    if (stopped) {
      return;
    }
    HealthCheck cfg = this.cfg;
    int s;
    int f;
    long started;
    synchronized (this) {
      if (r != round || finishedRound == r) {
        return; // a late answer to a round already decided by its timeout, or the reverse
      }
      finishedRound = r;
      if (ok) {
        failures = 0;
        successes++;
      } else {
        successes = 0;
        failures++;
      }
      s = successes;
      f = failures;
      started = roundStart;
    }
    boolean healthy = server.healthy;
    if (ok && !healthy && s >= cfg.rise()) {
      engine.states.setHealth(server, true, reason + " (" + s + "/" + cfg.rise() + " rise)");
    } else if (!ok && healthy && f >= cfg.fall()) {
      engine.states.setHealth(server, false, reason + " (" + f + "/" + cfg.fall() + " fall)");
    }
    if (engine.isClosed()) {
      return;
    }
    healthy = server.healthy;
    long interval = (healthy ? (f > 0 ? cfg.fastinter() : cfg.inter())
        : (s > 0 ? cfg.fastinter() : cfg.downinter())).toNanos();
    long elapsed = engine.ticker.read() - started;
    engine.scheduleTask(this::run, Math.max(0, interval - elapsed));
  }

  private static String describe(Throwable e) {
    Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    return c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
  }
}
