package io.tether.pool.testing;

import java.util.Properties;

/** Properties from key-value pairs, for configuration tests. */
public final class Props {
  private Props() {}

  /** {@return the pairs {@code k1, v1, k2, v2, ...} as properties} */
  public static Properties of(String... kv) {
    Properties p = new Properties();
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return p;
  }
}
