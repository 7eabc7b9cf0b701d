package io.tether.pool;

/**
 * Why a pooled connection was closed. Every close the pool performs or observes has exactly one cause,
 * reported to the {@link PoolListener} and counted in metrics under the tag value {@link #id()}.
 */
public enum CloseCause {
  /** Idle long enough to reach its (jittered) deadline ahead of the load balancer's idle timeout. */
  IDLE_EVICTED("idle-evicted"),
  /** Reached its (jittered) maximum lifetime. */
  LIFETIME_EXPIRED("lifetime-expired"),
  /**
   * Retired when released because its server held more than its share of the pool's connections while
   * another had less (a server was added, came back up or was re-weighted): its replacement goes to the
   * server with room.
   */
  REBALANCED("rebalanced"),
  /** The peer closed the connection gracefully (FIN). */
  PEER_CLOSED("peer-closed"),
  /** The peer reset the connection (RST, {@code ECONNRESET}). */
  PEER_RESET("peer-reset"),
  /** Its server was marked down or put in maintenance and its sessions were shut down. */
  ENDPOINT_DOWN("endpoint-down"),
  /** Released as broken by its user, or failed with an unexpected error or timeout. */
  BROKEN("broken"),
  /**
   * Its user gave up on the exchange in the middle (cancelled it, or its deadline passed): the rest of
   * the response would still arrive, so the connection cannot carry another one.
   */
  ABANDONED("abandoned"),
  /** The pool was closed. */
  POOL_CLOSED("pool-closed");

  private final String id;

  CloseCause(String id) {
    this.id = id;
  }

  /** {@return the kebab-case name used in metrics tags, logs and documentation} */
  public String id() {
    return id;
  }

  @Override
  public String toString() {
    return id;
  }
}
