package io.tether.pool.haproxy;

import java.util.Objects;

/**
 * What the {@code .if} predicates of a configuration ask about the HAProxy that will run it: its version
 * ({@code version_atleast}, {@code version_before}), its build features ({@code feature}), and its TLS
 * library ({@code openssl_version_*}, {@code ssllib_name_startswith}). The reader evaluates conditional
 * blocks against one of these; {@link #DEBIAN_12} is Debian 12's {@code haproxy} package, the HAProxy
 * Tether is tested against.
 *
 * @param version HAProxy's version string, as {@code haproxy -v} prints it
 * @param features the "Feature list" line of {@code haproxy -vv}: {@code +NAME} built in, {@code -NAME} not
 * @param sslLibrary the TLS library's name ({@code OpenSSL}), or empty without TLS
 * @param sslVersion its running version ({@code 3.0.19}), or empty
 */
public record HaproxyBuild(String version, String features, String sslLibrary, String sslVersion) {

  /** HAProxy 2.6.12 as Debian 12 ships it: its {@code haproxy -vv} values. */
  public static final HaproxyBuild DEBIAN_12 = new HaproxyBuild("2.6.12-1+deb12u4",
      "-51DEGREES +ACCEPT4 +BACKTRACE -CLOSEFROM +CPU_AFFINITY +CRYPT_H -DEVICEATLAS +DL -ENGINE +EPOLL -EVPORTS"
          + " +GETADDRINFO -KQUEUE +LIBCRYPT +LINUX_SPLICE +LINUX_TPROXY +LUA -MEMORY_PROFILING +NETFILTER +NS"
          + " -OBSOLETE_LINKER +OPENSSL +OT -PCRE +PCRE2 +PCRE2_JIT -PCRE_JIT +POLL +PRCTL -PROCCTL +PROMEX -QUIC"
          + " +RT +SLZ -STATIC_PCRE -STATIC_PCRE2 +SYSTEMD +TFO +THREAD +THREAD_DUMP +TPROXY -WURFL -ZLIB",
      "OpenSSL", "3.0.19");

  /**
   * Checks the components are present.
   *
   * @param version HAProxy's version string
   * @param features the feature list
   * @param sslLibrary the TLS library's name, or empty
   * @param sslVersion its version, or empty
   */
  public HaproxyBuild {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(sslLibrary, "sslLibrary");
    Objects.requireNonNull(sslVersion, "sslVersion");
  }

  /** {@code feature(name)}: whether {@code +name} is in the feature list. */
  boolean hasFeature(String name) {
    for (String f : features.trim().split("\\s+")) {
      if (f.equals("+" + name)) {
        return true;
      }
    }
    return false;
  }

  /** HAProxy's {@code split_version}: a.b.c.d, then dev/rc/pre and their number, then a commit count. */
  static long[] split(String v) {
    long[] out = {0, 0, 0, 0, 3, 0, 0};
    int p = 0;
    for (int part = 0; ; part++) {
      int start = p;
      while (p < v.length() && v.charAt(p) >= '0' && v.charAt(p) <= '9') {
        p++;
      }
      if (p == start || part > 3) {
        return null;
      }
      out[part] = Long.parseLong(v.substring(start, Math.min(p, start + 9)));
      if (p == v.length()) {
        return out;
      }
      char c = v.charAt(p++);
      if (c == '-') {
        break;
      }
      if (c != '.') {
        return null;
      }
    }
    String tag = v.substring(p);
    int skip;
    if (tag.startsWith("dev")) {
      out[4] = 1;
      skip = 3;
    } else if (tag.startsWith("rc")) {
      out[4] = 2;
      skip = 2;
    } else if (tag.startsWith("pre")) {
      out[4] = 2;
      skip = 3;
    } else {
      return out;
    }
    int d = skip;
    while (d < tag.length() && tag.charAt(d) >= '0' && tag.charAt(d) <= '9') {
      d++;
    }
    out[5] = d == skip ? 0 : Long.parseLong(tag.substring(skip, Math.min(d, skip + 9)));
    return out;
  }

  /** Negative if this HAProxy's version is below {@code other}, 0 if equal, positive if above; null if unparsable. */
  Integer compareVersion(String other) {
    return compare(split(version), split(other));
  }

  /** The same for the TLS library; null without one or for an unparsable version. */
  Integer compareSslVersion(String other) {
    return sslVersion.isEmpty() ? null : compare(split(sslVersion), split(other));
  }

  private static Integer compare(long[] a, long[] b) {
    if (a == null || b == null) {
      return null;
    }
    for (int i = 0; i < 6; i++) {
      if (a[i] != b[i]) {
        return a[i] < b[i] ? -1 : 1;
      }
    }
    return 0;
  }
}
