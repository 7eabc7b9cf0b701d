package io.tether.pool.metrics;

import java.util.List;

/**
 * Every meter Tether registers, with its type, tags and meaning: the single source of {@code
 * docs/metrics.md} (a test keeps the two equal) and of the Grafana dashboard's queries. Tags are
 * low-cardinality by design: pool and server names, a close cause, an outcome; never a port, never a
 * key.
 */
public enum MeterName {
  /** The {@code tether.pool.connections} gauge. */
  CONNECTIONS("tether.pool.connections", Type.GAUGE, List.of("pool", "state"),
      "Connections by state: idle, leased, connecting."),
  /** The {@code tether.pool.pending} gauge. */
  PENDING("tether.pool.pending", Type.GAUGE, List.of("pool"), "Acquires waiting for a connection."),
  /** The {@code tether.pool.max.connections} gauge. */
  MAX_CONNECTIONS("tether.pool.max.connections", Type.GAUGE, List.of("pool"),
      "The pool-wide connection limit (max-connections)."),
  /** The {@code tether.pool.max.pending} gauge. */
  MAX_PENDING("tether.pool.max.pending", Type.GAUGE, List.of("pool"),
      "The bound on waiting acquires (max-pending-acquires)."),
  /** The {@code tether.pool.server.connections} gauge. */
  SERVER_CONNECTIONS("tether.pool.server.connections", Type.GAUGE, List.of("pool", "server", "state"),
      "Connections to one server by state: idle, leased, connecting."),
  /** The {@code tether.pool.server.up} gauge. */
  SERVER_UP("tether.pool.server.up", Type.GAUGE, List.of("pool", "server"),
      "1 while the server is UP, 0 while DOWN, DRAIN or MAINT."),
  /** The {@code tether.pool.acquire} timer. */
  ACQUIRE("tether.pool.acquire", Type.TIMER, List.of("pool"),
      "Time from acquire to lease (0 when an idle connection was ready)."),
  /** The {@code tether.pool.connect} timer. */
  CONNECT("tether.pool.connect", Type.TIMER, List.of("pool", "server", "outcome"),
      "Time to open a connection; outcome success or failure."),
  /** The {@code tether.pool.connections.opened} counter. */
  OPENED("tether.pool.connections.opened", Type.COUNTER, List.of("pool", "server"), "Connections opened."),
  /** The {@code tether.pool.connections.closed} counter. */
  CLOSED("tether.pool.connections.closed", Type.COUNTER, List.of("pool", "server", "cause"),
      "Connections closed, by cause: idle-evicted, lifetime-expired, rebalanced, peer-closed, peer-reset, "
          + "endpoint-down, broken, abandoned (the caller cancelled a request mid-exchange, or its deadline "
          + "passed), pool-closed."),
  /** The {@code tether.pool.resets} counter. */
  RESETS("tether.pool.resets", Type.COUNTER, List.of("pool", "server", "phase"),
      "Connections reset by the peer, by phase: idle (in the pool, harmless) or in-flight (a user saw it)."),
  /** The {@code tether.pool.acquire.timeouts} counter. */
  ACQUIRE_TIMEOUTS("tether.pool.acquire.timeouts", Type.COUNTER, List.of("pool"),
      "Acquires that waited acquire-timeout in vain."),
  /** The {@code tether.pool.acquire.rejected} counter. */
  ACQUIRE_REJECTED("tether.pool.acquire.rejected", Type.COUNTER, List.of("pool"),
      "Acquires rejected at once because max-pending-acquires were waiting."),
  /** The {@code tether.pool.retries} counter. */
  RETRIES("tether.pool.retries", Type.COUNTER, List.of("pool", "reason"),
      "Requests retried on a new connection, by reason: stale, reset, timeout, endpoint-down."),
  /** The {@code tether.pool.retries.refused} counter. */
  RETRIES_REFUSED("tether.pool.retries.refused", Type.COUNTER, List.of("pool"),
      "Retries a failed request qualified for that the client's retry budget refused."),
  /** The {@code tether.pool.server.transitions} counter. */
  TRANSITIONS("tether.pool.server.transitions", Type.COUNTER, List.of("pool", "server", "to"),
      "Server state changes, by new state: up, down, drain, maint."),
  /** The {@code tether.pool.leaks} counter. */
  LEAKS("tether.pool.leaks", Type.COUNTER, List.of("pool", "server"),
      "Leases held longer than leak-detection-threshold (each reported once)."),
  /** The {@code tether.pool.idle.age} timer. */
  IDLE_AGE("tether.pool.idle.age", Type.TIMER, List.of("pool"),
      "How long a connection had been idle when it was leased (a distribution)."),
  /** The {@code tether.pool.connection.age} timer. */
  LIFETIME("tether.pool.connection.age", Type.TIMER, List.of("pool", "cause"),
      "Age of a connection when it was closed, by close cause (a distribution)."),
  /** The {@code tether.server.quiet.closes} counter. */
  SERVER_QUIET_CLOSES("tether.server.quiet.closes", Type.COUNTER, List.of("server", "cause"),
      "Inbound connections a QuietResetHandler closed quietly: peer-reset or broken-pipe."),
  /** The {@code tether.server.idle.closes} counter. */
  SERVER_IDLE_CLOSES("tether.server.idle.closes", Type.COUNTER, List.of("server"),
      "Inbound keep-alive connections an IdleCloser closed before the balancer's timeout server."),
  /** The {@code tether.server.drain.closes} counter. */
  SERVER_DRAIN_CLOSES("tether.server.drain.closes", Type.COUNTER, List.of("server", "phase"),
      "Connections a ServerDrain closed, by phase: idle (once the balancer let go), after-response, at-grace."),
  /** The {@code tether.pool.dns.resolutions} counter. */
  DNS_RESOLUTIONS("tether.pool.dns.resolutions", Type.COUNTER, List.of("pool", "result"),
      "DNS discovery's rounds of queries, by result: ok (addresses found), empty (NXDOMAIN or no address), "
          + "failed (timeout, SERVFAIL, REFUSED: the servers are kept)."),
  /** The {@code tether.pool.dns.answer.age} gauge. */
  DNS_ANSWER_AGE("tether.pool.dns.answer.age", Type.GAUGE, List.of("pool"),
      "Seconds since DNS discovery's last answer (NaN before the first); grows through a DNS outage.");

  /** How a meter is exposed. */
  public enum Type {
    /** A value read when scraped. */
    GAUGE,
    /** A monotonically increasing count. */
    COUNTER,
    /** Durations: count, total and a histogram. */
    TIMER
  }

  private final String meterName;
  private final Type type;
  private final List<String> tags;
  private final String description;

  MeterName(String meterName, Type type, List<String> tags, String description) {
    this.meterName = meterName;
    this.type = type;
    this.tags = tags;
    this.description = description;
  }

  /** {@return the dotted Micrometer name, e.g. {@code tether.pool.connections}} */
  public String meterName() {
    return meterName;
  }

  /** {@return the meter type} */
  public Type type() {
    return type;
  }

  /** {@return tag keys, in the order documented} */
  public List<String> tags() {
    return tags;
  }

  /** {@return what the meter measures, as documented} */
  public String description() {
    return description;
  }
}
