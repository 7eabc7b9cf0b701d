package io.tether.pool;

/** A server's administrative and health state, named as in HAProxy's stats. */
public enum ServerState {
  /** Healthy: gets new connections and leases. */
  UP,
  /** Failed its health checks ({@code fall} in a row) or observed errors; gets nothing new. */
  DOWN,
  /** Set at runtime: no new connections or leases; each connection is closed as it is released. */
  DRAIN,
  /** Set at runtime: out of service; its connections are shut down like a server marked down. */
  MAINT;

  /** {@return whether new leases may use a server in this state} */
  public boolean acceptsLeases() {
    return this == UP;
  }
}
