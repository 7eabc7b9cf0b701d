package io.tether.pool.spi;

import io.tether.pool.Endpoint;
import io.tether.pool.HealthCheck;
import io.tether.pool.ServerState;
import java.util.concurrent.CompletionStage;

/**
 * One active health check of a server: a TCP connect, an HTTP request. The Netty adapters provide both,
 * as {@link HealthCheck#type()} says; a transport of your own implements this.
 *
 * <p>Called on the pool's {@link Scheduler}; must not block. The probe applies {@link
 * HealthCheck#connectTimeout()} to its connect and, once connected, {@link HealthCheck#timeout()} (or,
 * when that is zero, what is left of {@link HealthCheck#inter()} since the check started) to the rest,
 * and closes its connection gracefully. The pool also fails a check itself once both bounds have passed,
 * and ignores a later answer.
 */
@FunctionalInterface
public interface HealthProbe {
  /**
   * Checks {@code endpoint} once, at {@link Endpoint#checkAddress()}.
   *
   * @param endpoint the server
   * @param check the check settings (type, timeouts, HTTP request and expectation)
   * @return completes with {@link ServerState#UP} if the server passes, {@link ServerState#DRAIN} if it
   *     passes but asks to take no new work (an HTTP 404 with {@code check.http-disable-on-404});
   *     completes exceptionally, the message saying why, if it fails
   */
  CompletionStage<ServerState> check(Endpoint endpoint, HealthCheck check);
}
