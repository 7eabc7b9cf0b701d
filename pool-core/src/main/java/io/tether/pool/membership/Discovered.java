package io.tether.pool.membership;

import java.util.Objects;

/**
 * One server a membership source found: an address (an IP literal, or a host name the transport
 * resolves), a port, a weight and a priority (0 is the primary tier; higher tiers are backups, used
 * only while no lower tier has a server up, as DNS SRV priorities are).
 *
 * @param host the address or host name
 * @param port 1-65535
 * @param weight 0-256
 * @param priority 0 for primary servers, higher for backups
 */
public record Discovered(String host, int port, int weight, int priority) {
  /**
   * Checks the values.
   *
   * @param host the address or host name
   * @param port 1-65535
   * @param weight 0-256
   * @param priority 0 or more
   */
  public Discovered {
    Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " (expected: 1-65535)");
    }
    if (weight < 0 || weight > 256) {
      throw new IllegalArgumentException("weight " + weight + " (expected: 0-256)");
    }
    if (priority < 0) {
      throw new IllegalArgumentException("priority " + priority + " (expected: 0 or more)");
    }
  }

  /**
   * {@return a primary server of weight 1}
   *
   * @param host the address or host name
   * @param port the port
   */
  public static Discovered of(String host, int port) {
    return new Discovered(host, port, 1, 0);
  }

  String key() {
    return host + "|" + port;
  }
}
