package io.tether.pool;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * How a pool opens, checks and closes connections of type {@code C}. The Netty adapters implement it for
 * channels; tests implement it with in-memory fakes. The pool never touches sockets itself.
 *
 * <p>Implementations must be thread-safe. No method may block.
 *
 * @param <C> the transport's connection type, e.g. a Netty {@code Channel}
 */
public interface Connector<C> {

  /**
   * Starts opening a connection to {@code endpoint}. Complete the returned stage, on any thread, with
   * the open connection or with the failure; the pool enforces nothing itself beyond {@code
   * connectTimeout}, which the implementation must apply (for example as Netty's {@code
   * CONNECT_TIMEOUT_MILLIS}).
   *
   * <p>{@code signals} is this connection's line back to the pool: the transport reports I/O activity
   * and a close by the peer through it, from the moment the connection exists.
   *
   * @param endpoint the server to connect to
   * @param connectTimeout how long opening may take before it fails
   * @param signals where the connection reports activity and a close by the peer
   * @return completes with the open connection, or fails
   */
  CompletionStage<C> connect(Endpoint endpoint, Duration connectTimeout, ConnectionSignals signals);

  /**
   * Closes {@code connection} gracefully: a FIN, never an RST, so the peer and the balancer see an
   * orderly close. Called once per connection, outside every pool lock. Must not throw.
   *
   * @param connection a connection this connector opened
   * @param cause why
   */
  void close(C connection, CloseCause cause);

  /**
   * Whether the connection still looks usable (for a socket: open and active). Called on every acquire
   * of an idle connection, so it must be cheap: read a flag, never do I/O.
   *
   * @param connection a connection this connector opened
   * @return false if the connection is known to be closed
   */
  boolean isAlive(C connection);

  /**
   * Whether this transport reports every read and write through {@link ConnectionSignals#activity()}.
   * If so, a connection's idle time counts from its last byte in or out, which is what a load balancer
   * times; if not, the pool counts from the moment the connection was released.
   *
   * @return whether this connector reports activity and peer closes itself
   */
  default boolean tracksActivity() {
    return false;
  }
}
