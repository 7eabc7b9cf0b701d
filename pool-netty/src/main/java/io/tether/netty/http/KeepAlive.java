package io.tether.netty.http;

import java.time.Duration;

/** The server's own idle limit, as its {@code Keep-Alive} response header states it. */
final class KeepAlive {
  private KeepAlive() {}

  /** {@code timeout=N} of a {@code Keep-Alive} header, or null if absent, not a number, or not positive. */
  static Duration timeout(String header) {
    if (header == null) {
      return null;
    }
    for (String part : header.split(",")) {
      String p = part.trim();
      if (p.regionMatches(true, 0, "timeout=", 0, 8)) {
        try {
          long seconds = Long.parseLong(p.substring(8).trim());
          return seconds > 0 ? Duration.ofSeconds(seconds) : null;
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return null;
  }
}
