package io.tether.bench.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.io.ModalCloseable;
import org.apache.hc.core5.pool.LaxConnPool;
import org.apache.hc.core5.pool.ManagedConnPool;
import org.apache.hc.core5.pool.PoolEntry;
import org.apache.hc.core5.pool.StrictConnPool;
import org.apache.hc.core5.util.Timeout;

/**
 * Apache HttpCore 5's pools, which HttpClient 5 leases every connection from: {@link StrictConnPool}
 * (one lock, exact limits) and {@link LaxConnPool} (lock-free, limits approximate). Connections are
 * in-memory objects; the pool never touches them beyond {@code close}.
 */
final class ApacheContender implements Contender {
  private static final String ROUTE = "app";
  private static final Timeout WAIT = Timeout.ofSeconds(10);

  static final class Conn implements ModalCloseable {
    @Override
    public void close(CloseMode mode) {}

    @Override
    public void close() {}
  }

  private final ManagedConnPool<String, Conn> pool;

  ApacheContender(int connections, boolean strict) throws Exception {
    pool = strict ? new StrictConnPool<>(connections, connections) : new LaxConnPool<>(connections);
    List<PoolEntry<String, Conn>> entries = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      PoolEntry<String, Conn> e = pool.lease(ROUTE, null, WAIT, null).get();
      e.assignConnection(new Conn());
      entries.add(e);
    }
    entries.forEach(e -> pool.release(e, true));
  }

  @Override
  public void cycle(int lane) throws Exception {
    Future<PoolEntry<String, Conn>> f = pool.lease(ROUTE, null, WAIT, null);
    PoolEntry<String, Conn> e = f.get();
    if (!e.hasConnection()) {
      throw new IllegalStateException("leased an entry without a connection: pool not warm");
    }
    pool.release(e, true);
  }

  @Override
  public void close() {
    pool.close(CloseMode.IMMEDIATE);
  }
}
