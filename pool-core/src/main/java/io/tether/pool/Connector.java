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
   */
  CompletionStage<C> connect(Endpoint endpoint, Duration connectTimeout, ConnectionSignals signals);

  /**
   * Closes {@code connection} gracefully: a FIN, never an RST, so the peer and the balancer see an
   * orderly close. Called once per connection, outside every pool lock. Must not throw.
   */
  void close(C connection, CloseCause cause);

  /**
   * Whether the connection still looks usable (for a socket: open and active). Called on every acquire
   * of an idle connection, so it must be cheap: read a flag, never do I/O.
   */
  boolean isAlive(C connection);

  /**
   * Whether this transport reports every read and write through {@link ConnectionSignals#activity()}.
   * If so, a connection's idle time counts from its last byte in or out, which is what a load balancer
   * times; if not, the pool counts from the moment the connection was released.
   */
  default boolean tracksActivity() {
    return false;
  }
}
