package io.tether.netty.internal;

import java.net.SocketAddress;

/**
 * Stands for "whatever the bootstrap says" when a pool is built from a bootstrap with no remote
 * address, as Netty's pools allow: each connect then fails with the bootstrap's own error.
 */
public final class BootstrapAddress extends SocketAddress {
  private static final long serialVersionUID = 1L;

  public static final BootstrapAddress INSTANCE = new BootstrapAddress();

  private BootstrapAddress() {}

  @Override
  public String toString() {
    return "bootstrap-remote-address";
  }
}
