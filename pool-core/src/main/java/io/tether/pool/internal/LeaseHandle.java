package io.tether.pool.internal;

import io.tether.pool.CloseCause;
import io.tether.pool.Endpoint;
import io.tether.pool.Lease;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;

/**
 * A {@link Lease} of the core API: a capability for one lease of one connection. It remembers the
 * lease's number; once it is released or invalidated, or once the connection was leased again, nothing
 * done through it reaches the connection. A second release is harmless: it changes nothing and is
 * reported as misuse (a {@link io.tether.pool.StaleLeaseException} when leak detection or assertions are
 * on).
 */
final class LeaseHandle<C> implements Lease<C> {
  private static final VarHandle DONE;

  static {
    try {
      DONE = MethodHandles.lookup().findVarHandle(LeaseHandle.class, "done", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final PooledConnection<C> c;
  private final long number;
  @SuppressWarnings("unused") // through DONE
  private volatile int done;

  LeaseHandle(PooledConnection<C> c) {
    this.c = c;
    this.number = c.leaseNumber;
  }

  /** Whether this handle is the connection's current lease and was not given back yet. */
  boolean current() {
    return done == 0 && c.leaseNumber == number;
  }

  private boolean finish() {
    return DONE.compareAndSet(this, 0, 1) && c.leaseNumber == number;
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
