package io.tether.pool.internal.config;

import io.tether.pool.ConfigException;
import io.tether.pool.DurationSyntax;
import io.tether.pool.PoolConfig;
import java.time.Duration;

/** Range checks for configuration values; every failure names the full key, the value and the range. */
public final class Ranges {
  private Ranges() {}

  public static int check(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new ConfigException(PoolConfig.PREFIX + key, Integer.toString(value), min + "-" + max);
    }
    return value;
  }

  public static Duration check(String key, Duration value, Duration min, Duration max) {
    if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new ConfigException(
          PoolConfig.PREFIX + key,
          value == null ? "null" : DurationSyntax.format(value),
          DurationSyntax.format(min) + " to " + DurationSyntax.format(max));
    }
    return value;
  }

  /** Zero (meaning off) or a duration within [min, max]. */
  public static Duration zeroOr(String key, Duration value, Duration min, Duration max) {
    if (value != null && value.isZero()) {
      return Duration.ZERO;
    }
    return check(key, value, min, max);
  }

  public static <T> T notNull(String key, T value, String expected) {
    if (value == null) {
      throw new ConfigException(PoolConfig.PREFIX + key, "null", expected);
    }
    return value;
  }
}
