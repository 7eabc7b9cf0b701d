package io.tether.pool;

/** Which idle connection an acquire gets. */
public enum ReuseOrder {
  /**
   * Most recently used first (default). Keeps a few connections warm and lets the rest age out and be
   * evicted, so the pool shrinks when load drops. Served lock-free.
   */
  LIFO,
  /**
   * Least recently used first. Spreads requests over every open connection, which keeps them all
   * active; takes the endpoint lock on each acquire and release.
   */
  FIFO
}
