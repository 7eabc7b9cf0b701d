package io.tether.pool.haproxy;

/**
 * A time value as HAProxy 2.6 reads one ({@code parse_time_err} in {@code src/tools.c}): ASCII digits, then
 * an optional unit {@code us ms s m h d}; a bare number is in the keyword's default unit (milliseconds for
 * timeouts). The result is rounded up to whole milliseconds; 2^31 ms or more overflows; a value that
 * rounds to 0 ms but was not 0 underflows. Characters after a valid unit draw a warning, not an error.
 */
final class HaproxyTime {
  /** Parsed milliseconds, or a problem. */
  record Result(long millis, String error, String warning) {}

  private HaproxyTime() {}

  static Result parse(String text) {
    if (text.isEmpty()) {
      return new Result(0, "expected a number of milliseconds, or a number with a unit (us, ms, s, m, h, d)", null);
    }
    if (text.charAt(0) < '0' || text.charAt(0) > '9') {
      return new Result(0, "unexpected character '" + text.charAt(0) + "'", null);
    }
    int i = 0;
    long value = 0;
    while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
      value = value * 10 + (text.charAt(i) - '0');
      if (value > 1L << 50) {
        return new Result(0, "timer overflow (maximum value is 2147483647 ms or ~24.8 days)", null);
      }
      i++;
    }
    long imult = 1;
    long idiv = 1;
    String warning = null;
    if (i < text.length()) {
      char c = text.charAt(i);
      int next = i + 1;
      switch (c) {
        case 's':
          imult = 1000;
          break;
        case 'u':
          if (next < text.length() && text.charAt(next) == 's') {
            idiv = 1000;
            next++;
            break;
          }
          return new Result(0, "unexpected character '" + c + "'", null);
        case 'm':
          if (next < text.length() && text.charAt(next) == 's') {
            next++;
          } else {
            imult = 60_000;
          }
          break;
        case 'h':
          imult = 3_600_000;
          break;
        case 'd':
          imult = 86_400_000;
          break;
        default:
          return new Result(0, "unexpected character '" + c + "'", null);
      }
      if (next < text.length()) {
        warning = "unexpected character '" + text.charAt(next) + "' after the timer value '" + text
            + "', only (us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) are supported";
      }
    }
    long result = (value * imult + idiv - 1) / idiv;
    if (result >= 0x80000000L) {
      return new Result(0, "timer overflow (maximum value is 2147483647 ms or ~24.8 days)", null);
    }
    if (result == 0 && value != 0) {
      return new Result(0, "timer underflow (minimum non-null value is 1 ms)", null);
    }
    return new Result(result, null, warning);
  }

  /** {@code ms} as HAProxy users write it: {@code 2s}, {@code 1500ms}, {@code 10m}. */
  static String format(long ms) {
    if (ms != 0 && ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms != 0 && ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms != 0 && ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms != 0 && ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
