package io.tether.pool;

/**
 * What a pool does with bytes that arrive on a connection while it sits idle in the pool (key {@code
 * idle-input}).
 */
public enum IdleInput {
  /**
   * Leave them to the transport: the Netty adapters pass them down the channel's pipeline and keep the
   * channel pooled, as Netty's own pools do. For protocols where the server speaks on its own
   * (heartbeats, pushes). The default.
   */
  PASS,
  /**
   * The peer is speaking out of turn: drop the bytes and close the connection. For request/response
   * protocols such as HTTP/1.1, where a server never speaks first (HAProxy's unsolicited {@code 408}
   * before it closes, say). {@code TetherHttpClient} sets this.
   */
  CLOSE
}
