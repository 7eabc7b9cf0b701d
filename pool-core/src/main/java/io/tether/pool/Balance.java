package io.tether.pool;

/** How a new connection picks its server, as HAProxy's {@code balance} keyword. */
public enum Balance {
  /**
   * The server with the fewest connections relative to its weight (default). Keeps servers even
   * when connections are long-lived, where round robin drifts after a server restarts.
   */
  LEASTCONN,
  /** Each server in turn, in proportion to its weight (smooth weighted round robin). */
  ROUNDROBIN
}
