package io.tether.netty3;

import io.tether.pool.metrics.micrometer.ServerCloseMeters;

/**
 * Micrometer meters for the Netty 3 server handlers: {@code tether.server.quiet.closes{server, cause}} and
 * {@code tether.server.idle.closes{server}}, read from the handlers when the registry asks, so counting
 * costs them nothing extra.
 *
 * <pre>{@code
 * ServerCloseMeters meters = ServerMeters.of("api", quiet, idleCloser);
 * meters.bindTo(registry);   // ... meters.close() removes them
 * }</pre>
 */
public final class ServerMeters {
  private ServerMeters() {}

  /**
   * {@return meters for {@code quiet} and {@code idle} (either may be null), tagged {@code server=name}}
   *
   * @param name the value of the {@code server} tag
   * @param quiet the quiet-reset handler, or null
   * @param idle the idle closer factory, or null
   */
  public static ServerCloseMeters of(String name, QuietResetHandler quiet, IdleCloser.Factory idle) {
    return new ServerCloseMeters(name, quiet == null ? null : quiet::resets, quiet == null ? null : quiet::brokenPipes,
        idle == null ? null : idle::closed);
  }
}
