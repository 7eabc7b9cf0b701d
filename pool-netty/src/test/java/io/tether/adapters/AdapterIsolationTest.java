package io.tether.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A Netty 4 application needs no Netty 3 classes and a Netty 3 application no Netty 4 classes: each
 * adapter is loaded, linked and exercised in a class loader that has pool-core, pool-netty and only its
 * own Netty.
 */
@Tag("netty3")
class AdapterIsolationTest {

  private static URL locationOf(String className) throws Exception {
    return Class.forName(className).getProtectionDomain().getCodeSource().getLocation();
  }

  private static URLClassLoader loader(List<String> nettyClasses) throws Exception {
    Set<URL> urls = new LinkedHashSet<>();
    urls.add(locationOf("io.tether.pool.ConnectionPool"));
    urls.add(locationOf("io.tether.netty3.Netty3ChannelPool")); // pool-netty's classes (both packages)
    // Micrometer is an optional dependency of both adapters (ServerMeters), not a Netty one.
    urls.add(locationOf("io.micrometer.core.instrument.MeterRegistry"));
    urls.add(locationOf("io.micrometer.common.KeyValue"));
    urls.add(locationOf("io.micrometer.observation.Observation"));
    for (String c : nettyClasses) {
      urls.add(locationOf(c));
    }
    return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
  }

  /** Loads and links every class of {@code pkg} in the loader: resolving each method's signature. */
  private static int linkPackage(ClassLoader l, String pkg) throws Exception {
    return linkPackage(l, pkg, null);
  }

  /** As above, leaving out the sub-package {@code except} (null for none). */
  private static int linkPackage(ClassLoader l, String pkg, String except) throws Exception {
    Path root = Path.of(locationOf("io.tether.netty3.Netty3ChannelPool").toURI());
    Path dir = root.resolve(pkg.replace('.', '/'));
    List<String> names = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      Path skip = except == null ? null : root.resolve(except.replace('.', '/'));
      s.filter(p -> p.toString().endsWith(".class") && (skip == null || !p.startsWith(skip))).forEach(p -> {
        String rel = root.relativize(p).toString();
        names.add(rel.substring(0, rel.length() - 6).replace('/', '.'));
      });
    }
    for (String n : names) {
      Class<?> c = Class.forName(n, true, l);
      for (Method m : c.getDeclaredMethods()) {
        m.getReturnType();
      }
      c.getDeclaredFields();
      c.getDeclaredConstructors();
    }
    return names.size();
  }

  @Test
  void theNetty3AdapterRunsWithOnlyNetty3() throws Exception {
    try (URLClassLoader l = loader(List.of("org.jboss.netty.channel.Channel"))) {
      assertThrows(ClassNotFoundException.class, () -> Class.forName("io.netty.channel.Channel", false, l));
      int linked = linkPackage(l, "io.tether.netty3");
      // Exercise it: a quiet-reset handler and an idle closer, as a Netty 3 server would build them.
      Object quiet = Class.forName("io.tether.netty3.QuietResetHandler", true, l).getConstructor().newInstance();
      assertEquals(0L, quiet.getClass().getMethod("resets").invoke(quiet));
      Class<?> timerClass = Class.forName("org.jboss.netty.util.HashedWheelTimer", true, l);
      Object timer = timerClass.getConstructor().newInstance();
      try {
        Object factory = Class.forName("io.tether.netty3.IdleCloser", true, l)
            .getMethod("beforeBalancerTimeout", java.time.Duration.class, double.class, Class.forName("org.jboss.netty.util.Timer", true, l))
            .invoke(null, java.time.Duration.ofSeconds(10), 0.9, timer);
        factory.getClass().getMethod("newHandler").invoke(factory);
      } finally {
        timerClass.getMethod("stop").invoke(timer);
      }
      System.out.println("Netty 3 adapter: " + linked + " classes linked without Netty 4");
    }
  }

  @Test
  void theNetty4AdapterRunsWithOnlyNetty4() throws Exception {
    try (URLClassLoader l = loader(List.of("io.netty.channel.Channel", "io.netty.buffer.ByteBuf",
        "io.netty.util.Version", "io.netty.handler.codec.http.HttpObject", "io.netty.handler.codec.ByteToMessageDecoder",
        "io.netty.resolver.AddressResolver", "io.netty.handler.ssl.SslHandler"))) {
      assertThrows(ClassNotFoundException.class, () -> Class.forName("org.jboss.netty.channel.Channel", false, l));
      // DNS discovery is the one part that needs netty-resolver-dns; the rest must not.
      int linked = linkPackage(l, "io.tether.netty", "io.tether.netty.dns");
      Object quiet = Class.forName("io.tether.netty.server.QuietResetHandler", true, l).getConstructor().newInstance();
      assertEquals(0L, quiet.getClass().getMethod("resets").invoke(quiet));
      System.out.println("Netty 4 adapter: " + linked + " classes linked without Netty 3 or netty-resolver-dns");
    }
    try (URLClassLoader l = loader(List.of("io.netty.channel.Channel", "io.netty.buffer.ByteBuf",
        "io.netty.util.Version", "io.netty.handler.codec.ByteToMessageDecoder", "io.netty.resolver.AddressResolver",
        "io.netty.resolver.dns.DnsNameResolver", "io.netty.handler.codec.dns.DnsResponse"))) {
      assertTrue(linkPackage(l, "io.tether.netty.dns") > 0, "DNS discovery links with netty-resolver-dns");
    }
  }
}
