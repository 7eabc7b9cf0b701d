package io.tether.pool.spi;

import io.tether.pool.CloseCause;
import io.tether.pool.Endpoint;
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
   * the open connection or with the failure (the transport's own exception: a {@code
   * ConnectException}, say). It must complete even if the transport is shutting down (then with a
   * {@link java.util.concurrent.RejectedExecutionException}).
   *
   * <p>{@code signals} is this connection's line back to the pool: the transport reports I/O activity
   * and a close by the peer through it, from the moment the connection exists.
   *
   * @param endpoint the server to connect to
   * @param connectTimeout how long opening may take; zero leaves it to the transport's own setting
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
   * @return completes when the connection is closed (a pool's {@code closeAsync} waits for it); it must
   *     complete even if the transport is shutting down
   */
  CompletionStage<Void> close(C connection, CloseCause cause);

  /**
   * A lease of {@code connection} starts: called by the pool on the leasing thread, before the user can
   * touch it, so the transport can forget what the last user left half-done (an awaited response, say).
   * Must be cheap and must not throw.
   *
   * @param connection a connection this connector opened
   */
  default void leased(C connection) {}

  /**
   * Whether the connection still looks usable (for a socket: open and active). Called on every lease of
   * an idle connection, so it must be cheap: read a flag, never do I/O.
   *
   * @param connection a connection this connector opened
   * @return false if the connection is known to be closed or closing
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

  /**
   * Whether the calling thread is one of the transport's I/O threads (a Netty event loop). A blocking
   * {@code close()} there could wait for the very release it needs, so the pool refuses it.
   *
   * @return whether the current thread runs the transport's I/O
   */
  default boolean onTransportThread() {
    return false;
  }
}
