package io.tether.pool.haproxy;

import java.util.Locale;

/**
 * What a server tells the HAProxy in front of it, and what it heard back: the state its agent-check
 * responder and HTTP health endpoint report (serving, draining, in maintenance, down), an optional
 * weight and connection limit for the agent, and the state HAProxy last sent in its {@code
 * X-Haproxy-Server-State} header ({@code http-check send-state}), which says whether the balancer has
 * seen a drain. Thread-safe: set from any thread, read by the responders on their event loops.
 *
 * <p>HAProxy's agent protocol (configuration manual, {@code agent-check}): the agent answers one line
 * of words. This class answers {@code up ready} (optionally with {@code N%} and {@code maxconn:N})
 * while serving, {@code drain} while draining (weight 0: no new connections, existing ones go on),
 * {@code maint} in maintenance, {@code down} when down.
 */
public final class ServerStatus {
  /** The server's own say. */
  public enum State {
    /** Taking new work. */
    SERVING,
    /** Finishing what it has, taking nothing new: HAProxy's drain (weight 0), or 404 to an HTTP check. */
    DRAINING,
    /** Administratively out: HAProxy's maintenance. */
    MAINTENANCE,
    /** Not working: HAProxy marks it down. */
    DOWN
  }

  private volatile State state = State.SERVING;
  private volatile int weightPercent = -1;
  private volatile int maxconn = -1;
  private volatile String balancerState;
  private volatile String balancerHeader;

  /** {@return the state reported} */
  public State state() {
    return state;
  }

  /**
   * Sets the state reported from now on.
   *
   * @param value the new state
   * @return this
   */
  public ServerStatus state(State value) {
    this.state = java.util.Objects.requireNonNull(value, "state");
    return this;
  }

  /**
   * The weight the agent reports while serving, as a percentage of the weight in haproxy.cfg (HAProxy
   * accepts 0 to 256 for a server weight; a percentage above 100 raises it); -1 says nothing.
   *
   * @param value -1, or 0 to 1000
   * @return this
   */
  public ServerStatus weightPercent(int value) {
    if (value < -1 || value > 1000) {
      throw new IllegalArgumentException("weightPercent " + value + " (expected -1 for none, or 0 to 1000)");
    }
    this.weightPercent = value;
    return this;
  }

  /**
   * The connection limit the agent reports while serving ({@code maxconn:N}); -1 says nothing.
   *
   * @param value -1, or 0 to 1,000,000
   * @return this
   */
  public ServerStatus maxconn(int value) {
    if (value < -1 || value > 1_000_000) {
      throw new IllegalArgumentException("maxconn " + value + " (expected -1 for none, or 0 to 1000000)");
    }
    this.maxconn = value;
    return this;
  }

  /** {@return the line an agent-check responder sends, without its line end} */
  public String agentReply() {
    switch (state) {
      case DRAINING:
        return "drain";
      case MAINTENANCE:
        return "maint";
      case DOWN:
        return "down";
      default:
        StringBuilder sb = new StringBuilder("up ready");
        int w = weightPercent;
        if (w >= 0) {
          sb.append(' ').append(w).append('%');
        }
        int m = maxconn;
        if (m >= 0) {
          sb.append(" maxconn:").append(m);
        }
        return sb.toString();
    }
  }

  /**
   * The status an HTTP health endpoint answers: 200 while serving; while draining 404 if the backend
   * has {@code http-check disable-on-404} (HAProxy then stops sending new work but keeps the server
   * up), else 503; 503 in maintenance or down.
   *
   * @param disableOn404 whether the backend has {@code http-check disable-on-404}
   * @return the HTTP status code
   */
  public int healthStatusCode(boolean disableOn404) {
    switch (state) {
      case SERVING:
        return 200;
      case DRAINING:
        return disableOn404 ? 404 : 503;
      default:
        return 503;
    }
  }

  /**
   * Records HAProxy's {@code X-Haproxy-Server-State} header, e.g. {@code UP 2/3; name=be/app1;
   * node=lb1; weight=1/2; scur=13/22; qcur=0}: its first word is the state HAProxy holds the server in.
   *
   * @param header the header's value; null is ignored
   */
  public void balancerSaid(String header) {
    if (header == null) {
      return;
    }
    String h = header.trim();
    int end = 0;
    while (end < h.length() && !Character.isWhitespace(h.charAt(end)) && h.charAt(end) != ';') {
      end++;
    }
    if (end > 0) {
      balancerHeader = h;
      balancerState = h.substring(0, end).toUpperCase(Locale.ROOT);
    }
  }

  /**
   * {@return the state HAProxy last reported ({@code UP}, {@code DOWN}, {@code NOLB} for a server
   * taking no new work, {@code MAINT}...), or null if it said nothing yet}
   */
  public String balancerState() {
    return balancerState;
  }

  /** {@return the last {@code X-Haproxy-Server-State} header in full, or null} */
  public String balancerHeader() {
    return balancerHeader;
  }

  /**
   * Whether HAProxy has seen the drain: it reported the server as taking no new work ({@code NOLB}),
   * in maintenance or down. Only known where the backend sends its state ({@code http-check
   * send-state}).
   *
   * @return true once acknowledged
   */
  public boolean drainAcknowledged() {
    String s = balancerState;
    return s != null && (s.equals("NOLB") || s.startsWith("MAINT") || s.equals("DOWN") || s.equals("DRAIN"));
  }

  @Override
  public String toString() {
    return "ServerStatus{" + state + ", agent=\"" + agentReply() + "\", balancer=" + balancerState + "}";
  }
}
