package io.tether.pool.testing;

import io.tether.pool.CloseCause;
import io.tether.pool.Endpoint;
import io.tether.pool.PoolListener;
import io.tether.pool.ServerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Records pool events as short strings such as {@code "closed app1 idle-evicted"}. Thread-safe. */
public final class RecordingListener implements PoolListener {
  public final Queue<String> events = new ConcurrentLinkedQueue<>();

  @Override
  public void connectStarted(Endpoint endpoint) {
    events.add("connect " + endpoint.name());
  }

  @Override
  public void connected(Endpoint endpoint, long connectNanos) {
    events.add("connected " + endpoint.name());
  }

  @Override
  public void connectFailed(Endpoint endpoint, Throwable cause) {
    events.add("connect-failed " + endpoint.name());
  }

  @Override
  public void acquired(Endpoint endpoint) {
    events.add("acquired " + endpoint.name());
  }

  @Override
  public void released(Endpoint endpoint) {
    events.add("released " + endpoint.name());
  }

  @Override
  public void closed(Endpoint endpoint, CloseCause cause, Throwable detail) {
    events.add("closed " + endpoint.name() + " " + cause.id());
  }

  @Override
  public void acquireTimedOut(Endpoint endpoint, long waitedNanos) {
    events.add("acquire-timeout " + (endpoint == null ? "any" : endpoint.name()));
  }

  @Override
  public void acquireRejected() {
    events.add("acquire-rejected");
  }

  /** Acquire sites of suspected leaks, in report order. */
  public final Queue<Throwable> leakSites = new ConcurrentLinkedQueue<>();

  @Override
  public void leakSuspected(Endpoint endpoint, java.time.Duration heldFor, Throwable acquiredAt) {
    events.add("leak " + endpoint.name() + " " + heldFor.toSeconds() + "s");
    leakSites.add(acquiredAt);
  }

  @Override
  public void stateChanged(Endpoint endpoint, ServerState from, ServerState to, String reason) {
    events.add("state " + endpoint.name() + " " + from + "->" + to);
    reasons.add(endpoint.name() + ": " + reason);
  }

  /** The reason of each state change, "app1: check failed: ... (0/2 down)", in order. */
  public final List<String> reasons = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Events starting with {@code prefix}. */
  @Override
  public void serverAdded(Endpoint endpoint) {
    events.add("added " + endpoint.name());
  }

  @Override
  public void serverRemoved(Endpoint endpoint) {
    events.add("removed " + endpoint.name());
  }

  public List<String> matching(String prefix) {
    List<String> out = new ArrayList<>();
    for (String e : events) {
      if (e.startsWith(prefix)) {
        out.add(e);
      }
    }
    return out;
  }
}
