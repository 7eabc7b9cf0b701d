package io.tether.pool;

import java.util.List;

/**
 * A point-in-time view of a pool. Counts per server are read under that server's lock, so {@code idle
 * + leased + connecting == total} holds for each {@link Server} and for the pool.
 *
 * @param pool the pool's name
 * @param idle connections waiting to be leased
 * @param leased connections in use
 * @param connecting connections being opened
 * @param pending acquires waiting for a connection
 * @param maxConnections the pool-wide limit
 * @param maxPending the bound on waiting acquires
 * @param servers one entry per server, in configuration order
 */
public record PoolStats(
    String pool,
    int idle,
    int leased,
    int connecting,
    int pending,
    int maxConnections,
    int maxPending,
    List<Server> servers) {

  /**
   * Copies {@code servers}.
   *
   * @param pool the pool's name
   * @param idle connections waiting to be leased
   * @param leased connections in use
   * @param connecting connections being opened
   * @param pending acquires waiting for a connection
   * @param maxConnections the pool-wide limit
   * @param maxPending the bound on waiting acquires
   * @param servers one entry per server, in configuration order
   */
  public PoolStats {
    servers = List.copyOf(servers);
  }

  /** {@return open plus connecting connections} */
  public int total() {
    return idle + leased + connecting;
  }

  /**
   * {@return the entry for the server named {@code name}}
   *
   * @param name the server's name
   */
  public Server server(String name) {
    for (Server s : servers) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("no server named " + name + " in pool " + pool);
  }

  /**
   * One server's share.
   *
   * @param name the endpoint name
   * @param state its current state
   * @param idle idle connections
   * @param leased leased connections
   * @param connecting connections being opened
   * @param maxConnections the per-server limit
   */
  public record Server(
      String name, ServerState state, int idle, int leased, int connecting, int maxConnections) {

    /** {@return open plus connecting connections} */
    public int total() {
      return idle + leased + connecting;
    }
  }
}
