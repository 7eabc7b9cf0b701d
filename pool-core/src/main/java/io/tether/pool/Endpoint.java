package io.tether.pool;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * A server the pool connects to: a backend directly, or a load balancer in front of several. Named like
 * an HAProxy {@code server} line: {@code server app1 127.0.0.29:8080 weight 10 backup}.
 *
 * <p>The address is any {@link SocketAddress} the transport can connect to: an {@link
 * InetSocketAddress} (resolved, or unresolved and resolved by the transport on each connect), a Netty
 * {@code LocalAddress}, a Unix domain socket address. The name is the server's identity: metrics tags,
 * logs and exceptions use it, never the address.
 *
 * <p>Immutable and thread-safe; {@code with*} methods return modified copies.
 */
public final class Endpoint {

  /** Highest weight accepted, as in HAProxy. */
  public static final int MAX_WEIGHT = 256;

  private final String name;
  private final SocketAddress address;
  private final int weight;
  private final int priority;
  private final boolean disabled;
  private final boolean checked;
  private final SocketAddress checkAddress;

  private Endpoint(String name, SocketAddress address, int weight, int priority, boolean disabled, boolean checked,
      SocketAddress checkAddress) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
    if (name.isBlank() || name.length() > 128 || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException("endpoint name '" + name
          + "' (expected: 1-128 printable ASCII characters without spaces)");
    }
    if (address instanceof InetSocketAddress inet) {
      if (inet.getHostString().isBlank()) {
        throw new IllegalArgumentException("endpoint " + name + ": host must not be blank");
      }
      if (inet.getPort() < 1) {
        throw new IllegalArgumentException("endpoint " + name + ": port " + inet.getPort() + " (expected: 1-65535)");
      }
    }
    if (weight < 0 || weight > MAX_WEIGHT) {
      throw new IllegalArgumentException(
          "endpoint " + name + ": weight " + weight + " (expected: 0-" + MAX_WEIGHT + ")");
    }
    if (priority < 0 || priority > 1000) {
      throw new IllegalArgumentException("endpoint " + name + ": priority " + priority + " (expected: 0-1000)");
    }
    this.name = name;
    this.address = address;
    this.weight = weight;
    this.priority = priority;
    this.disabled = disabled;
    this.checked = checked;
    this.checkAddress = checkAddress;
  }

  /**
   * A server at {@code host:port} with {@code weight}; the host is resolved by the transport when it
   * connects.
   *
   * @param name unique within a pool; used in metrics tags, logs and exceptions
   * @param host host name or address literal (an IPv6 literal without brackets)
   * @param port TCP port, 1-65535
   * @param weight relative share of new connections, 0-256 (HAProxy's range; 0 takes no new connections)
   */
  public Endpoint(String name, String host, int port, int weight) {
    this(name, inet(name, host, port), weight, 0, false, true, null);
  }

  private static InetSocketAddress inet(String name, String host, int port) {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("endpoint " + name + ": host must not be blank");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("endpoint " + name + ": port " + port + " (expected: 1-65535)");
    }
    return InetSocketAddress.createUnresolved(host, port);
  }

  /**
   * {@return a server of weight 1 at {@code host:port}}
   *
   * @param name the name
   * @param host a host name or IP address
   * @param port the TCP port
   */
  public static Endpoint of(String name, String host, int port) {
    return new Endpoint(name, host, port, 1);
  }

  /**
   * {@return a server of weight 1 at any address the transport understands}
   *
   * @param name the name, used in metrics tags, logs and exceptions
   * @param address an {@link InetSocketAddress}, a Netty {@code LocalAddress}, a domain socket address...
   */
  public static Endpoint of(String name, SocketAddress address) {
    return new Endpoint(name, address, 1, 0, false, true, null);
  }

  /**
   * {@return a server of weight 1 at {@code address}, named by its host (never its port: names go into
   * metrics tags)} An IP socket address becomes {@code host:port} by its host string, resolved again at
   * each connect as a configured server is; any other address (a Netty {@code LocalAddress}, a domain
   * socket) is kept as it is and named by its text, made a valid name (printable ASCII without spaces, at
   * most 128 characters). How the Netty adapters name the bootstrap's remote address and a pool map's keys.
   *
   * @param address the address
   */
  public static Endpoint of(SocketAddress address) {
    if (address instanceof InetSocketAddress inet) {
      return of(inet.getHostString(), inet.getHostString(), inet.getPort());
    }
    String raw = String.valueOf(address);
    StringBuilder sb = new StringBuilder(Math.min(raw.length(), 128));
    for (int i = 0; i < raw.length() && sb.length() < 128; i++) {
      char c = raw.charAt(i);
      sb.append(c > 0x20 && c < 0x7f ? c : '_');
    }
    return of(sb.length() == 0 ? "default" : sb.toString(), address);
  }

  /** {@return the server's name, unique within a pool} */
  public String name() {
    return name;
  }

  /** {@return the address connections go to} */
  public SocketAddress socketAddress() {
    return address;
  }

  /** {@return the host name or address literal, or the address's text for a non-IP address} */
  public String host() {
    return address instanceof InetSocketAddress inet ? inet.getHostString() : String.valueOf(address);
  }

  /** {@return the TCP port, or 0 for a non-IP address} */
  public int port() {
    return address instanceof InetSocketAddress inet ? inet.getPort() : 0;
  }

  /** {@return relative share of new connections, 0-256; 0 takes none (HAProxy's {@code weight 0})} */
  public int weight() {
    return weight;
  }

  /**
   * {@return 0 for an active server; a backup server has 1 or more and is used only while no server of
   * a lower priority is up} HAProxy's {@code backup} is priority 1 (the first backup; without {@code
   * option allbackups} each later one gets the next priority); DNS SRV priorities map here too.
   */
  public int priority() {
    return priority;
  }

  /** {@return whether this is a backup server ({@link #priority()} above 0)} */
  public boolean backup() {
    return priority > 0;
  }

  /** {@return whether the server starts in maintenance (HAProxy's {@code disabled})} */
  public boolean disabled() {
    return disabled;
  }

  /**
   * {@return whether health checks apply to this server when the pool's checks are on} False for an
   * HAProxy server line without {@code check}: it is always considered up.
   */
  public boolean checked() {
    return checked;
  }

  /** {@return the address health checks go to (HAProxy's {@code addr}/{@code port}), or the server's} */
  public SocketAddress checkAddress() {
    return checkAddress != null ? checkAddress : address;
  }

  /**
   * {@return this server with another weight}
   *
   * @param newWeight 0-256
   */
  public Endpoint withWeight(int newWeight) {
    return new Endpoint(name, address, newWeight, priority, disabled, checked, checkAddress);
  }

  /**
   * {@return this server with another priority (0 active, 1 and up backup tiers)}
   *
   * @param newPriority 0-1000
   */
  public Endpoint withPriority(int newPriority) {
    return new Endpoint(name, address, weight, newPriority, disabled, checked, checkAddress);
  }

  /**
   * {@return this server starting in maintenance, or not}
   *
   * @param value true for HAProxy's {@code disabled}
   */
  public Endpoint withDisabled(boolean value) {
    return new Endpoint(name, address, weight, priority, value, checked, checkAddress);
  }

  /**
   * {@return this server with health checks applying to it, or not}
   *
   * @param value false for a server that is never checked
   */
  public Endpoint withChecked(boolean value) {
    return new Endpoint(name, address, weight, priority, disabled, value, checkAddress);
  }

  /**
   * {@return this server with checks sent to another address}
   *
   * @param value the check address, or null for the server's own
   */
  public Endpoint withCheckAddress(SocketAddress value) {
    return new Endpoint(name, address, weight, priority, disabled, checked, value);
  }

  /**
   * {@return this server under another name}
   *
   * @param newName the name
   */
  public Endpoint withName(String newName) {
    return new Endpoint(newName, address, weight, priority, disabled, checked, checkAddress);
  }

  /** {@return {@code host:port} (an IPv6 literal in brackets), or the address's text, for messages} */
  public String address() {
    if (address instanceof InetSocketAddress) {
      String h = host();
      return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port();
    }
    return String.valueOf(address);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Endpoint e && name.equals(e.name) && sameAddress(address, e.address) && weight == e.weight
        && priority == e.priority && disabled == e.disabled && checked == e.checked
        && Objects.equals(checkAddress, e.checkAddress);
  }

  /** Unresolved and resolved forms of the same host and port differ as objects; compare what was given. */
  private static boolean sameAddress(SocketAddress a, SocketAddress b) {
    if (a instanceof InetSocketAddress x && b instanceof InetSocketAddress y) {
      return x.getPort() == y.getPort() && x.getHostString().equals(y.getHostString());
    }
    return a.equals(b);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, address instanceof InetSocketAddress i ? i.getHostString() + ":" + i.getPort() : address,
        weight, priority);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(name).append('(').append(address());
    if (weight != 1) {
      sb.append(" weight ").append(weight);
    }
    if (priority != 0) {
      sb.append(" backup");
      if (priority != 1) {
        sb.append(' ').append(priority);
      }
    }
    if (disabled) {
      sb.append(" disabled");
    }
    return sb.append(')').toString();
  }
}
