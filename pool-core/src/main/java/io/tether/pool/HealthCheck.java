package io.tether.pool;

import java.time.Duration;

/**
 * Active health checking, in HAProxy's terms: {@code server ... check inter 200 fall 1 rise 1}. Part
 * of {@link PoolConfig}; set through its builder ({@code check*} methods) or {@code tether.pool.check.*}
 * properties.
 *
 * @param enabled whether servers are checked at all (key {@code check}; default false)
 * @param inter interval between checks of a server that is up (key {@code check.inter}; default 2s)
 * @param fastinter interval while a server is changing state: up with failed checks, or down with
 *     passed ones (key {@code check.fastinter}; default {@code inter})
 * @param downinter interval while a server is down (key {@code check.downinter}; default {@code inter})
 * @param fall consecutive failed checks that mark a server down (key {@code check.fall}; default 3)
 * @param rise consecutive passed checks that mark it up (key {@code check.rise}; default 2)
 * @param timeout how long one check may take (key {@code check.timeout}; default {@code inter}, like
 *     HAProxy without {@code timeout check}); detection of a silent failure takes at most about {@code
 *     inter + timeout}
 * @param type {@code tcp} (connect and close) or {@code http} (key {@code check.type}; default tcp)
 * @param httpMethod method of an HTTP check (key {@code check.http-method}; default GET)
 * @param httpPath path of an HTTP check (key {@code check.http-path}; default /)
 * @param httpExpectStatus status an HTTP check expects (key {@code check.http-expect-status}; default 200)
 */
public record HealthCheck(
    boolean enabled,
    Duration inter,
    Duration fastinter,
    Duration downinter,
    int fall,
    int rise,
    Duration timeout,
    Type type,
    String httpMethod,
    String httpPath,
    int httpExpectStatus) {

  /** How a server is checked. */
  public enum Type {
    /** Opens a TCP connection and closes it. */
    TCP,
    /** Sends {@code check.http-method check.http-path} and expects {@code check.http-expect-status}. */
    HTTP
  }
}
