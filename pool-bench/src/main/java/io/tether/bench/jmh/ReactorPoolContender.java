package io.tether.bench.jmh;

import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.netty.internal.shaded.reactor.pool.InstrumentedPool;
import reactor.netty.internal.shaded.reactor.pool.PoolBuilder;
import reactor.netty.internal.shaded.reactor.pool.PooledRef;

/**
 * reactor-pool as Reactor Netty ships it (shaded inside reactor-netty-core, the copy its {@code
 * ConnectionProvider} runs), built the way {@code PooledConnectionProvider} builds it. Each caller
 * subscribes with a reusable subscriber rather than {@code block()}, so the figure is the pool's cost,
 * not a latch's.
 */
final class ReactorPoolContender implements Contender {
  private final InstrumentedPool<Object> pool;
  private final Waiter[] waiters;

  /** Receives one signal at a time; reused across cycles by one thread. */
  static final class Waiter implements CoreSubscriber<Object> {
    volatile Object value;
    volatile boolean done;
    volatile Throwable error;

    void reset() {
      value = null;
      done = false;
      error = null;
    }

    @Override
    public void onSubscribe(Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Object t) {
      value = t;
    }

    @Override
    public void onError(Throwable t) {
      error = t;
      done = true;
    }

    @Override
    public void onComplete() {
      done = true;
    }

    /** Waits for a signal that another thread's drain loop delivers instead of ours. */
    void await() {
      for (int spins = 0; !done; spins++) {
        if (spins < 1_000) {
          Thread.onSpinWait();
        } else {
          Thread.yield();
        }
      }
      if (error != null) {
        throw new IllegalStateException(error);
      }
    }
  }

  ReactorPoolContender(int connections) {
    pool = PoolBuilder.from(Mono.fromSupplier(Object::new)).sizeBetween(connections, connections).buildPool();
    pool.warmup().block();
    waiters = new Waiter[64];
    for (int i = 0; i < waiters.length; i++) {
      waiters[i] = new Waiter();
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public void cycle(int lane) {
    Waiter w = waiters[lane];
    w.reset();
    pool.acquire().subscribe(w);
    w.await();
    PooledRef<Object> ref = (PooledRef<Object>) w.value;
    w.reset();
    ref.release().subscribe(w);
    w.await();
  }

  @Override
  public void cycleWaiting(int lane) {
    PooledRef<Object> ref = pool.acquire().block();
    ref.release().block();
  }

  @Override
  public void close() {
    pool.disposeLater().block();
  }
}
