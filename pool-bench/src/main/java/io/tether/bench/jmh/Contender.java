package io.tether.bench.jmh;

/**
 * One pool under test. {@link #cycle} leases an idle connection and gives it back, as an application
 * does around every request; it runs on a benchmark thread or, for the on-loop variants, on the event
 * loop numbered {@code lane}.
 */
interface Contender extends AutoCloseable {

  /** One acquire and release on the calling thread; {@code lane} is the caller's thread index. */
  void cycle(int lane) throws Exception;

  /**
   * As {@link #cycle}, but the pool may be exhausted: the acquire waits, the way the pool's users
   * wait (parked on its future), until another caller releases.
   */
  default void cycleWaiting(int lane) throws Exception {
    cycle(lane);
  }

  @Override
  void close() throws Exception;
}
