package io.tether.pool;

import java.util.Objects;

/**
 * A server the pool connects to: a backend directly, or a load balancer in front of several.
 * Named like an HAProxy {@code server} line: {@code server app1 127.0.0.29:8080 weight 10}.
 *
 * @param name unique within a pool; used in metrics tags, logs and exceptions (never the port)
 * @param host host name or address literal
 * @param port TCP port, 1-65535
 * @param weight relative share of new connections, 1-256 (HAProxy's range); default 1
 */
public record Endpoint(String name, String host, int port, int weight) {

  /** Highest weight accepted, as in HAProxy. */
  public static final int MAX_WEIGHT = 256;

  /**
   * Validates the components.
   *
   * @param name unique within a pool; used in metrics tags, logs and exceptions (never the port)
   * @param host host name or address literal
   * @param port TCP port, 1-65535
   * @param weight relative share of new connections, 1-256 (HAProxy's range); default 1
   */
  public Endpoint {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(host, "host");
    if (name.isBlank()) {
      throw new IllegalArgumentException("endpoint name must not be blank");
    }
    if (host.isBlank()) {
      throw new IllegalArgumentException("endpoint " + name + ": host must not be blank");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "endpoint " + name + ": port " + port + " (expected: 1-65535)");
    }
    if (weight < 1 || weight > MAX_WEIGHT) {
      throw new IllegalArgumentException(
          "endpoint " + name + ": weight " + weight + " (expected: 1-" + MAX_WEIGHT + ")");
    }
  }

  /**
   * {@return an endpoint with weight 1}
   *
   * @param name the name
   * @param host a host name or IP address
   * @param port the TCP port
   */
  public static Endpoint of(String name, String host, int port) {
    return new Endpoint(name, host, port, 1);
  }

  /**
   * {@return the same endpoint with another weight}
   *
   * @param newWeight the new weight, 1 or more
   */
  public Endpoint withWeight(int newWeight) {
    return new Endpoint(name, host, port, newWeight);
  }

  /** {@return {@code host:port}, for messages} */
  public String address() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  @Override
  public String toString() {
    return name + "(" + address() + (weight != 1 ? " weight " + weight : "") + ")";
  }
}
