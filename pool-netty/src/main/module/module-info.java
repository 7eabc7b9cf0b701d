/**
 * Tether's Netty adapters: Netty 4 ({@code io.tether.netty} and its {@code dns}, {@code http} and
 * {@code server} packages) and Netty 3 ({@code io.tether.netty3}). Netty itself is the application's, in
 * the version it already uses: every Netty module is required {@code static}, so an application of one
 * Netty generation never needs the other. The adapters' internals are not exported.
 */
module io.tether.netty {
  requires transitive io.tether.pool;

  requires static io.netty.common;
  requires static io.netty.buffer;
  requires static io.netty.transport;
  requires static io.netty.handler;
  requires static io.netty.codec;
  requires static io.netty.codec.http;
  requires static io.netty.codec.dns;
  requires static io.netty.resolver;
  requires static io.netty.resolver.dns;
  // Netty 3.10's jar names no module: its automatic name comes from the file name.
  requires static netty;
  requires static micrometer.core;

  exports io.tether.netty;
  exports io.tether.netty.dns;
  exports io.tether.netty.http;
  exports io.tether.netty.server;
  exports io.tether.netty3;
}
