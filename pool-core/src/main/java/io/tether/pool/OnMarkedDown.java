package io.tether.pool;

/** What happens to a server's connections when it is marked down, as HAProxy's {@code on-marked-down}. */
public enum OnMarkedDown {
  /**
   * Close its idle and leased connections now (default). A leased user sees its connection close with
   * an {@link EndpointDownException}; a session pinned to it moves to a healthy server on its next
   * acquire. This is what stops a long connection from hanging on a dead server.
   */
  SHUTDOWN_SESSIONS("shutdown-sessions"),
  /** No new leases; idle connections close now, leased ones as they are released. */
  DRAIN("drain"),
  /** No new leases; existing connections are left alone until they close or idle out. */
  NONE("none");

  private final String id;

  OnMarkedDown(String id) {
    this.id = id;
  }

  /** {@return the kebab-case name used in properties} */
  public String id() {
    return id;
  }

  /**
   * {@return the value for {@code id}, or null}
   *
   * @param id the kebab-case name
   */
  public static OnMarkedDown of(String id) {
    for (OnMarkedDown o : values()) {
      if (o.id.equals(id)) {
        return o;
      }
    }
    return null;
  }
}
