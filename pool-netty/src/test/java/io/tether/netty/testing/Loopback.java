package io.tether.netty.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback addresses and ports for tests; everything stays in 127.0.0.0/8. */
public final class Loopback {
  /** The two backend aliases of the field reports: 192.168.1.29 and .38, moved to loopback. */
  public static final String APP1 = "127.0.0.29";
  public static final String APP2 = "127.0.0.38";
  public static final String LB = "127.0.0.1";

  private Loopback() {}

  /** A port free on {@code host} right now. */
  public static int freePort(String host) {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new AssertionError("no free port on " + host, e);
    }
  }
}
