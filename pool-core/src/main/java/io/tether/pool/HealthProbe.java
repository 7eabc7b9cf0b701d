package io.tether.pool;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * One active health check of a server: a TCP connect, an HTTP request, anything. The Netty adapters
 * provide a TCP-connect probe (the default) and an HTTP probe ({@link HealthCheck#type()}).
 *
 * <p>Called on the pool's {@link Scheduler}; must not block. Complete the stage normally if the server is
 * healthy, exceptionally (the message becomes the reason logged with the state change) if not. The
 * pool fails the check itself when {@code timeout} passes and ignores a later result, so a probe never
 * holds a check up; it should still give up on its own by then to free its resources.
 */
@FunctionalInterface
public interface HealthProbe {
  /**
   * {@return checks {@code endpoint} once}
   *
   * @param endpoint the server
   * @param timeout the handshake timeout
   */
  CompletionStage<?> check(Endpoint endpoint, Duration timeout);
}
