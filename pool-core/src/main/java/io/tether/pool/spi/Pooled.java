package io.tether.pool.spi;

import io.tether.pool.Endpoint;
import java.time.Duration;

/**
 * One pooled connection as a transport adapter sees it when it hands out its own connection objects
 * (a Netty {@code Channel}) instead of leases: see {@link TransportPool}. The same object for the
 * connection's whole life.
 *
 * @param <C> the transport's connection type
 */
public interface Pooled<C> {
  /** {@return the connection} */
  C connection();

  /** {@return the server it goes to} */
  Endpoint endpoint();

  /** {@return whether it is leased right now} */
  boolean isLeased();

  /**
   * {@return whether its holder still owes the pool a release: it is leased, or it was closed (by the
   * peer, the pool or the holder) while leased and has not been released since}
   */
  boolean awaitsRelease();

  /**
   * Caps this connection's idle time, for example when the server answered {@code Keep-Alive: timeout=5};
   * see {@link io.tether.pool.Lease#capIdleTime}.
   *
   * @param idleTimeout the peer's announced idle timeout
   */
  void capIdleTime(Duration idleTimeout);
}
