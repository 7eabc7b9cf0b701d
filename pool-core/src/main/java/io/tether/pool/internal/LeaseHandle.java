package io.tether.pool.internal;

import io.tether.pool.CloseCause;
import io.tether.pool.Endpoint;
import io.tether.pool.Lease;
import java.time.Duration;

/**
 * A {@link Lease} of the core API: a capability for one lease of one connection. It remembers the
 * lease's number; once it is released or invalidated, or once the connection was leased again, nothing
 * done through it reaches the connection. A second release is harmless: it changes nothing and is
 * reported as misuse (a {@link io.tether.pool.StaleLeaseException} when leak detection or assertions are
 * on).
 */
final class LeaseHandle<C> implements Lease<C> {
  final PooledConnection<C> c;
  // Final fields only, no CAS on the handle itself: the connection's lease number is the arbiter, and a
  // handle with nothing to synchronise on can be scalar-replaced where the caller's lease is inlined.
  private final long number;

  LeaseHandle(PooledConnection<C> c) {
    this.c = c;
    this.number = c.leaseNumber();
  }

  /** Whether this handle is the connection's current lease and was not given back yet. */
  boolean current() {
    return c.leaseNumber() == number;
  }

  private boolean finish() {
    return c.endLease(number);
  }

  @Override
  public C connection() {
    return c.connection();
  }

  @Override
  public Endpoint endpoint() {
    return c.server.endpoint;
  }

  @Override
  public void release() {
    if (finish()) {
      c.server.engine.release(c);
    } else {
      c.server.engine.misuse(this, "release");
    }
  }

  @Override
  public void invalidate(CloseCause cause, Throwable detail) {
    if (finish()) {
      c.server.engine.invalidate(c, cause, detail);
    } else {
      c.server.engine.misuse(this, "invalidate");
    }
  }

  @Override
  public void capIdleTime(Duration idleTimeout) {
    if (current()) {
      c.capIdleTime(idleTimeout);
    }
  }

  @Override
  public String toString() {
    return "Lease{" + c + (current() ? "" : ", expired") + "}";
  }
}
