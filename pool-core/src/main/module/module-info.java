/**
 * Tether's transport-agnostic pool. Exported: the API a user touches ({@code io.tether.pool}), what a
 * transport implements ({@code io.tether.pool.spi}), metrics, the haproxy.cfg reader and membership
 * sources. The engine ({@code io.tether.pool.internal} and below) is not exported: on the module path no
 * code outside this module can reach its constructors or test hooks.
 */
module io.tether.pool {
  // Only the Micrometer binding needs it; a pool without Micrometer never loads those classes.
  requires static micrometer.core;

  exports io.tether.pool;
  exports io.tether.pool.spi;
  exports io.tether.pool.metrics;
  exports io.tether.pool.metrics.micrometer;
  exports io.tether.pool.haproxy;
  exports io.tether.pool.membership;
}
