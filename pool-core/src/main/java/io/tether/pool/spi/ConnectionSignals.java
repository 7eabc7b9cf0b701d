package io.tether.pool.spi;

import io.tether.pool.Endpoint;

/**
 * What a transport tells the pool about one of its connections. Handed to {@link Connector#connect};
 * the transport calls it from its I/O thread (for Netty, the channel's event loop).
 *
 * <p>All methods are cheap, thread-safe and never throw.
 */
public interface ConnectionSignals {

  /**
   * A byte was read or written. The pool stamps the time with its {@link Ticker}; the idle deadline of
   * the connection counts from the last stamp.
   */
  void activity();

  /**
   * The peer closed the connection: {@code reset} is true for an RST ({@code ECONNRESET}, "Connection
   * reset by peer"), false for a FIN. If the connection is idle it leaves the pool at once, counted as
   * {@code PEER_RESET} or {@code PEER_CLOSED}; if it is leased it leaves the pool and the lease's later
   * release is ignored. Repeated calls are ignored.
   *
   * @param reset true for an RST, false for a FIN
   */
  void closedByPeer(boolean reset);

  /**
   * The connection was closed on this side by someone other than the pool (its user, or the
   * transport after a protocol error): it leaves the pool counted as {@code BROKEN}. Ignored if the pool
   * is already closing it.
   */
  void closedLocally();

  /**
   * Whether the pool closed this connection while it was leased (server marked down, pool closed), so
   * the transport should tell its user why, for instance with an {@code EndpointDownException}. Valid
   * from the moment {@link Connector#close} is called.
   *
   * @return whether the pool saw the close while the connection was leased
   */
  boolean closedWhileLeased();

  /**
   * {@return whether the connection is sitting idle in the pool (not leased, not connecting, not closing)}
   */
  boolean isIdle();

  /** {@return whether the connection is currently leased to a user} */
  boolean isLeased();

  /** {@return the endpoint the connection goes to} */
  Endpoint endpoint();
}
