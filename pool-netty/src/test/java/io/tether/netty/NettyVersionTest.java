package io.tether.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.util.Version;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Proves which Netty the tests ran against: the default run uses 4.1, the "netty-4.2" surefire
 * execution swaps in 4.2 and sets tether.expectedNettyVersion.
 */
class NettyVersionTest {
  @Test
  void testsRunAgainstTheExpectedNetty() {
    String expected = System.getProperty("tether.expectedNettyVersion");
    Map<String, Version> versions = Version.identify();
    String transport = versions.get("netty-transport").artifactVersion();
    String http = versions.get("netty-codec-http").artifactVersion();
    System.out.println("Netty under test: transport " + transport + ", codec-http " + http);
    if (expected != null) {
      assertEquals(expected, transport);
      assertEquals(expected, http);
    } else {
      assertEquals(4, Integer.parseInt(transport.split("\\.")[0]));
    }
  }
}
