package io.tether.pool.testing;

import io.tether.pool.Endpoint;
import io.tether.pool.spi.ConnectionSignals;
import java.util.ArrayList;
import java.util.List;

/**
 * The pool's side of one connection, for tests of what a transport's handler tells it: leased or idle
 * as the test sets it, and every activity and close recorded.
 */
public final class FakeSignals implements ConnectionSignals {
  public volatile boolean idle;
  public volatile boolean leased = true;
  public volatile boolean closedWhileLeased;
  public int activity;
  /** {@code peer-reset}, {@code peer-closed} or {@code locally}, in order. */
  public final List<String> closes = new ArrayList<>();

  /** Puts the connection back in the pool. */
  public FakeSignals idle() {
    idle = true;
    leased = false;
    return this;
  }

  @Override
  public void activity() {
    activity++;
  }

  @Override
  public void closedByPeer(boolean reset) {
    closes.add(reset ? "peer-reset" : "peer-closed");
  }

  @Override
  public void closedLocally() {
    closes.add("locally");
  }

  @Override
  public boolean closedWhileLeased() {
    return closedWhileLeased;
  }

  @Override
  public boolean isIdle() {
    return idle;
  }

  @Override
  public boolean isLeased() {
    return leased;
  }

  @Override
  public Endpoint endpoint() {
    return Endpoint.of("app1", "127.0.0.29", 8080);
  }
}
