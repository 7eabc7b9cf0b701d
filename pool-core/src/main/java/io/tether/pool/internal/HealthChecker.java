package io.tether.pool.internal;

import io.tether.pool.spi.Scheduler;
import io.tether.pool.DurationSyntax;
import io.tether.pool.HealthCheck;
import io.tether.pool.spi.HealthProbe;
import io.tether.pool.ServerState;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Active checks of one server, run the way HAProxy 2.6 runs them ({@code src/check.c}):
 *
 * <ul>
 *   <li>A health counter from 0 to {@code rise + fall - 1}. The server is up while it is at least
 *       {@code rise}. A failure takes one off, and below {@code rise} drops it to 0: down. A success
 *       adds one, and reaching {@code rise} sets it to the top. So {@code fall} failures in a row mark
 *       an up server down and {@code rise} successes in a row a down one up.
 *   <li>A server starts up with the counter at {@code rise}, "up, but will fall down at first failure":
 *       one failed check before the first success marks it down.
 *   <li>The next check starts an interval after the previous one ended: {@code inter} while the counter
 *       is at the top, {@code downinter} while down at 0, {@code fastinter} in between.
 * </ul>
 *
 * A check that answers neither way within its bounds ({@link HealthCheck#connectTimeout()} plus {@link
 * HealthCheck#timeout()}, or {@code inter}) is failed by the checker itself; a late answer is ignored.
 */
final class HealthChecker<C> {
  private final PoolEngine<C> engine;
  private final ServerPool<C> server;
  private final HealthProbe probe;
  private volatile HealthCheck cfg;
  private volatile boolean stopped;

  // Guarded by this.
  private int health;
  private long round;
  private long finishedRound;

  HealthChecker(PoolEngine<C> engine, ServerPool<C> server, HealthProbe probe, HealthCheck cfg) {
    this.engine = engine;
    this.server = server;
    this.probe = probe;
    this.cfg = cfg;
    this.health = cfg.rise();
  }

  void start(long delayNanos) {
    engine.tasks.schedule(this::run, delayNanos, false, rejected -> { });
  }

  /** New settings from a live reconfiguration: the next check uses them; an up server starts at the top. */
  synchronized void configure(HealthCheck c) {
    this.cfg = c;
    health = server.health.checks == ServerStates.Health.DOWN ? 0 : c.rise() + c.fall() - 1;
  }

  /** Checks turned off: the scheduled round does nothing and schedules no other. */
  void stop() {
    stopped = true;
  }

  /** Leaving maintenance: the server must rise again from the bottom. */
  synchronized void reset() {
    health = 0;
  }

  private void run() {
    if (engine.isClosed() || stopped) {
      return;
    }
    HealthCheck cfg = this.cfg;
    if (server.health.admin == ServerHealth.Admin.MAINT) {
      engine.tasks.schedule(this::run, cfg.inter().toNanos(), false, rejected -> { }); // checks pause in maintenance
      return;
    }
    long r;
    synchronized (this) {
      r = ++round;
    }
    long bound = cfg.connectTimeout().toNanos()
        + (cfg.timeout().isZero() ? cfg.inter().toNanos() : cfg.timeout().toNanos());
    io.tether.pool.spi.Scheduler.Cancellable timer = engine.tasks.schedule(
        () -> finish(r, null, "check timed out after " + DurationSyntax.format(java.time.Duration.ofNanos(bound))),
        bound, false, rejected -> { });
    CompletionStage<ServerState> stage;
    try {
      stage = probe.check(server.endpoint, cfg);
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((v, e) -> {
      timer.cancel();
      if (e != null) {
        finish(r, null, "check failed: " + describe(e));
      } else {
        ServerState s = v == ServerState.DRAIN ? ServerState.DRAIN : ServerState.UP;
        finish(r, s, s == ServerState.DRAIN ? "check passed, asking to drain" : "check passed");
      }
    });
  }

  /** One round's outcome: {@code passed} UP, DRAIN (a conditional pass), or null for a failure. */
  private void finish(long r, ServerState passed, String reason) {
    if (stopped) {
      return;
    }
    HealthCheck cfg = this.cfg;
    int top = cfg.rise() + cfg.fall() - 1;
    int h;
    synchronized (this) {
      if (r != round || finishedRound == r) {
        return; // a late answer to a round already decided by its timeout, or the reverse
      }
      finishedRound = r;
      if (passed == null) {
        if (health > 0) {
          health--;
          if (health < cfg.rise()) {
            health = 0;
          }
        }
      } else if (health < top) {
        health++;
        if (health >= cfg.rise()) {
          health = top;
        }
      }
      h = health;
    }
    ServerStates.Health next;
    if (h == 0) {
      next = ServerStates.Health.DOWN;
    } else if (h >= cfg.rise() && server.health.checks == ServerStates.Health.DOWN) {
      next = passed == ServerState.DRAIN ? ServerStates.Health.NOLB : ServerStates.Health.UP;
    } else if (server.health.checks != ServerStates.Health.DOWN && passed != null) {
      next = passed == ServerState.DRAIN ? ServerStates.Health.NOLB : ServerStates.Health.UP;
    } else {
      next = server.health.checks;
    }
    String status = h >= cfg.rise() ? (h - cfg.rise() + 1) + "/" + cfg.fall() + " up" : h + "/" + cfg.rise() + " down";
    engine.states.setHealth(server, next, reason + " (" + status + ")");
    if (engine.isClosed()) {
      return;
    }
    long interval;
    if (h == top) {
      interval = cfg.inter().toNanos();
    } else if (h == 0 && server.health.checks == ServerStates.Health.DOWN) {
      interval = cfg.downinter().toNanos();
    } else {
      interval = cfg.fastinter().toNanos();
    }
    engine.tasks.schedule(this::run, interval, false, rejected -> { });
  }

  private static String describe(Throwable e) {
    Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    return c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
  }
}
