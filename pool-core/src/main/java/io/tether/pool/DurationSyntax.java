package io.tether.pool;

import java.time.Duration;

/**
 * Durations written the way HAProxy writes them: an integer with an optional unit, {@code us}, {@code
 * ms}, {@code s}, {@code m}, {@code h} or {@code d}; a bare number is milliseconds. {@code 500ms},
 * {@code 10s}, {@code 9m} and {@code 2000} are all valid; {@code 1.5s}, {@code -1s} and {@code 10 s}
 * are not, exactly as in a {@code haproxy.cfg}.
 */
public final class DurationSyntax {

  /** The text used in error messages to say what a duration may look like. */
  public static final String EXPECTED =
      "a duration such as 500ms, 10s or 9m (units us, ms, s, m, h, d; a bare number is milliseconds)";

  private DurationSyntax() {}

  /**
   * Parses {@code text}, or returns null if it is not a valid duration. Surrounding whitespace is
   * ignored.
   *
   * @param text a duration in HAProxy syntax
   * @return the duration, or null if {@code text} is not one
   */
  public static Duration parseOrNull(String text) {
    return text == null ? null : io.tether.pool.internal.config.Syntax.duration(text, false);
  }

  /**
   * Parses the value of property {@code key}.
   *
   * @param key the property key, for the error message
   * @param text a duration in HAProxy syntax
   * @return the duration
   * @throws ConfigException naming the key and value if it is not a duration
   */
  public static Duration parse(String key, String text) {
    Duration d = parseOrNull(text);
    if (d == null) {
      throw new ConfigException(key, text, EXPECTED);
    }
    return d;
  }

  /**
   * Formats {@code d} in the largest unit that represents it exactly: {@code 9m}, {@code 1500ms}.
   *
   * @param d the duration
    * @return the formatted duration
   */
  public static String format(Duration d) {
    return io.tether.pool.internal.config.Syntax.formatDuration(d);
  }
}
