package io.tether.netty.server;

import io.tether.pool.metrics.micrometer.ServerCloseMeters;

/**
 * Micrometer meters for the Netty 4 server handlers: {@code tether.server.quiet.closes{server, cause}} and
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

  /**
   * As {@link #of(String, QuietResetHandler, IdleCloser.Factory)}, with {@code drain}'s closes as {@code
   * tether.server.drain.closes{server, phase}}.
   *
   * @param name the value of the {@code server} tag
   * @param quiet the quiet-reset handler, or null
   * @param idle the idle closer factory, or null
   * @param drain the server's drain
   * @return the meters, to bind
   */
  public static ServerCloseMeters of(String name, QuietResetHandler quiet, IdleCloser.Factory idle, ServerDrain drain) {
    io.tether.pool.haproxy.DrainSequence d = drain.sequence();
    return new ServerCloseMeters(name, quiet == null ? null : quiet::resets, quiet == null ? null : quiet::brokenPipes,
        idle == null ? null : idle::closed, d::closedIdleCount, d::closedAfterResponseCount, d::closedAtGraceCount);
  }
}
