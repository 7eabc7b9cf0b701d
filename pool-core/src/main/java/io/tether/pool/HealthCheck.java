package io.tether.pool;

import io.tether.pool.internal.config.ExpectSyntax;
import io.tether.pool.internal.config.Keys;
import io.tether.pool.internal.config.Settings;
import io.tether.pool.internal.config.Syntax;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Active health checking, in HAProxy's terms and with HAProxy's timing: {@code server ... check inter
 * 200 fall 1 rise 1}. Part of {@link PoolConfig}; every setting may change on a live pool.
 *
 * <p>Timing, as HAProxy 2.6 runs a check: the next check starts {@link #inter()} (or {@link
 * #fastinter()} while the server changes state, {@link #downinter()} while it is down) after the
 * previous one ended. A check's connect may take {@link #connectTimeout()}; once connected, the rest of
 * it (sending the request, reading the answer) may take {@link #timeout()}, or, when that is zero, what
 * is left of {@link #inter()} since the check started. {@link #fall()} failures in a row mark a server
 * down, {@link #rise()} successes in a row mark it up.
 *
 * <p>Immutable and thread-safe.
 */
public final class HealthCheck {

  /** How a server is checked. */
  public enum Type {
    /** Opens a TCP connection and closes it: the server passes when the connect succeeds. */
    TCP,
    /** Sends an HTTP request and matches the answer against {@link HealthCheck#httpExpect()}. */
    HTTP
  }

  /**
   * What a passing HTTP check response shows, as HAProxy's {@code http-check expect}: a status among
   * {@code codes} ({@code 200}, {@code 200-399}, {@code 200,204,300-399}), a status matching a regular
   * expression, a body containing a string, or a body matching a regular expression; {@code negated}
   * inverts it ({@code !}).
   *
   * @param kind what is matched
   * @param negated whether the match must fail for the check to pass
   * @param pattern the codes, regular expression or string
   */
  public record Expect(Kind kind, boolean negated, String pattern) {
    /** HAProxy's default when a check sets no expectation: any 2xx or 3xx status. */
    public static final Expect DEFAULT = new Expect(Kind.STATUS, false, "200-399");

    /** What an expectation matches. */
    public enum Kind {
      /** The status code is in a list of codes and ranges. */
      STATUS,
      /** The status code (as text) matches a regular expression. */
      RSTATUS,
      /** The body contains a string. */
      STRING,
      /** The body matches a regular expression. */
      RSTRING
    }

    /**
     * Checks the pattern: codes 100-599 and ranges for {@code STATUS}, a valid regular expression for
     * the {@code R*} kinds, a non-empty string.
     *
     * @param kind what is matched
     * @param negated whether the match must fail for the check to pass
     * @param pattern the codes, regular expression or string
     */
    public Expect {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(pattern, "pattern");
      ExpectSyntax.check(kind, pattern);
    }

    /**
     * {@return the expectation written {@code [!] status 200-399}, {@code rstring ^OK}...}
     *
     * @param text the expectation as HAProxy writes it after {@code http-check expect}
     * @throws IllegalArgumentException if it is not of that form
     */
    public static Expect parse(String text) {
      return ExpectSyntax.parse(text);
    }

    /**
     * {@return {@link #parse} of {@code text}, or null if it is not valid}
     *
     * @param text the expectation as written
     */
    public static Expect parseOrNull(String text) {
      try {
        return parse(text);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }

    /**
     * {@return whether a response with {@code status} and {@code body} passes}
     *
     * @param status the response's status code
     * @param body the response body as text (only the string kinds read it)
     */
    public boolean passes(int status, String body) {
      return ExpectSyntax.matches(this, status, body) != negated;
    }

    /** {@return whether the body must be read} */
    public boolean readsBody() {
      return kind == Kind.STRING || kind == Kind.RSTRING;
    }

    @Override
    public String toString() {
      return (negated ? "! " : "") + kind.name().toLowerCase(Locale.ROOT) + " " + pattern;
    }
  }

  private final Settings settings;
  private final Map<String, String> httpHeaders;

  HealthCheck(Settings source, Map<String, String> headers) {
    this.settings = source.copy();
    this.httpHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  /** {@return a builder with every setting at its default: checks off} */
  public static Builder builder() {
    return new Builder(new Settings(), new LinkedHashMap<>());
  }

  /** {@return a builder holding these settings, to derive a modified copy} */
  public Builder toBuilder() {
    return new Builder(settings.copy(), new LinkedHashMap<>(httpHeaders));
  }

  Settings settings() {
    return settings;
  }

  /** {@return whether servers are checked at all} Key {@code check}; default false. */
  public boolean enabled() {
    return settings.get(Keys.CHECK);
  }

  /** {@return interval between checks of a server that is up} Key {@code check.inter}; default 2s. */
  public Duration inter() {
    return settings.get(Keys.CHECK_INTER);
  }

  /**
   * {@return interval while a server changes state: up with failed checks, or down with passed ones}
   * Key {@code check.fastinter}; default {@code inter}.
   */
  public Duration fastinter() {
    return settings.isSet(Keys.CHECK_FASTINTER) ? settings.get(Keys.CHECK_FASTINTER) : inter();
  }

  /** {@return interval while a server is down} Key {@code check.downinter}; default {@code inter}. */
  public Duration downinter() {
    return settings.isSet(Keys.CHECK_DOWNINTER) ? settings.get(Keys.CHECK_DOWNINTER) : inter();
  }

  /** {@return consecutive failed checks that mark a server down} Key {@code check.fall}; default 3. */
  public int fall() {
    return settings.get(Keys.CHECK_FALL);
  }

  /** {@return consecutive passed checks that mark a server up} Key {@code check.rise}; default 2. */
  public int rise() {
    return settings.get(Keys.CHECK_RISE);
  }

  /**
   * {@return how long a check's connect may take} Key {@code check.connect-timeout}; default {@code
   * inter}. HAProxy bounds it by {@code inter}, and by {@code timeout connect} too when {@code timeout
   * check} is set; the haproxy.cfg reader derives it that way.
   */
  public Duration connectTimeout() {
    return settings.isSet(Keys.CHECK_CONNECT_TIMEOUT) ? settings.get(Keys.CHECK_CONNECT_TIMEOUT) : inter();
  }

  /**
   * {@return how long a check may take once connected, or zero to bound the whole check by {@code
   * inter} from its start} Key {@code check.timeout}; default 0, HAProxy's behaviour without {@code
   * timeout check}.
   */
  public Duration timeout() {
    return settings.get(Keys.CHECK_TIMEOUT);
  }

  /** {@return TCP connect or HTTP request} Key {@code check.type}; default tcp. */
  public Type type() {
    return settings.get(Keys.CHECK_TYPE);
  }

  /** {@return method of an HTTP check} Key {@code check.http-method}; default GET. */
  public String httpMethod() {
    return settings.get(Keys.CHECK_HTTP_METHOD);
  }

  /** {@return path of an HTTP check} Key {@code check.http-path}; default /. */
  public String httpPath() {
    return settings.get(Keys.CHECK_HTTP_PATH);
  }

  /** {@return HTTP version of a check request} Key {@code check.http-version}; default HTTP/1.1. */
  public String httpVersion() {
    return settings.get(Keys.CHECK_HTTP_VERSION);
  }

  /** {@return headers sent with an HTTP check, in order} Keys {@code check.http-header.<name>}; default none. */
  public Map<String, String> httpHeaders() {
    return httpHeaders;
  }

  /** {@return body of an HTTP check request} Key {@code check.http-body}; default empty. */
  public String httpBody() {
    return settings.get(Keys.CHECK_HTTP_BODY);
  }

  /** {@return what a passing HTTP answer shows} Key {@code check.http-expect}; default {@code status 200-399}. */
  public Expect httpExpect() {
    return settings.get(Keys.CHECK_HTTP_EXPECT);
  }

  /** {@return whether a 404 answer drains the server} Key {@code check.http-disable-on-404}; default false. */
  public boolean httpDisableOn404() {
    return settings.get(Keys.CHECK_HTTP_DISABLE_ON_404);
  }

  /** {@return whether checks use TLS} Key {@code check.ssl}; default false. */
  public boolean ssl() {
    return settings.get(Keys.CHECK_SSL);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HealthCheck h && enabled() == h.enabled() && inter().equals(h.inter())
        && fastinter().equals(h.fastinter()) && downinter().equals(h.downinter()) && fall() == h.fall()
        && rise() == h.rise() && connectTimeout().equals(h.connectTimeout()) && timeout().equals(h.timeout())
        && type() == h.type() && httpMethod().equals(h.httpMethod()) && httpPath().equals(h.httpPath())
        && httpVersion().equals(h.httpVersion()) && httpHeaders.equals(h.httpHeaders)
        && httpBody().equals(h.httpBody()) && httpExpect().equals(h.httpExpect())
        && httpDisableOn404() == h.httpDisableOn404() && ssl() == h.ssl();
  }

  @Override
  public int hashCode() {
    return Objects.hash(enabled(), inter(), fall(), rise(), type(), httpPath());
  }

  @Override
  public String toString() {
    if (!enabled()) {
      return "HealthCheck{off}";
    }
    return "HealthCheck{" + Keys.id(type()) + (type() == Type.HTTP ? " " + httpMethod() + " " + httpPath()
        + " expect " + httpExpect() : "") + ", inter " + Syntax.formatDuration(inter()) + ", fall " + fall()
        + ", rise " + rise() + "}";
  }

  /**
   * Collects check settings; each method checks its argument at once and names its key in the error.
   * Not thread-safe.
   */
  public static final class Builder {
    private final Settings s;
    private final Map<String, String> headers;

    Builder(Settings s, Map<String, String> headers) {
      this.s = s;
      this.headers = headers;
    }

    /**
     * Turns active health checks on or off; see {@link HealthCheck#enabled()}.
     *
     * @param value true to check servers
     * @return this builder
     */
    public Builder enabled(boolean value) {
      s.set(Keys.CHECK, value);
      return this;
    }

    /**
     * See {@link HealthCheck#inter()}; 10ms to 1h.
     *
     * @param value the interval
     * @return this builder
     */
    public Builder inter(Duration value) {
      s.set(Keys.CHECK_INTER, value);
      return this;
    }

    /**
     * See {@link HealthCheck#fastinter()}; 10ms to 1h.
     *
     * @param value the interval
     * @return this builder
     */
    public Builder fastinter(Duration value) {
      s.set(Keys.CHECK_FASTINTER, value);
      return this;
    }

    /**
     * See {@link HealthCheck#downinter()}; 10ms to 1h.
     *
     * @param value the interval
     * @return this builder
     */
    public Builder downinter(Duration value) {
      s.set(Keys.CHECK_DOWNINTER, value);
      return this;
    }

    /**
     * See {@link HealthCheck#fall()}; 1-100.
     *
     * @param value the count
     * @return this builder
     */
    public Builder fall(int value) {
      s.set(Keys.CHECK_FALL, value);
      return this;
    }

    /**
     * See {@link HealthCheck#rise()}; 1-100.
     *
     * @param value the count
     * @return this builder
     */
    public Builder rise(int value) {
      s.set(Keys.CHECK_RISE, value);
      return this;
    }

    /**
     * See {@link HealthCheck#connectTimeout()}; 1ms to 1h.
     *
     * @param value the connect bound
     * @return this builder
     */
    public Builder connectTimeout(Duration value) {
      s.set(Keys.CHECK_CONNECT_TIMEOUT, value);
      return this;
    }

    /**
     * See {@link HealthCheck#timeout()}; 0 or 1ms to 1h.
     *
     * @param value the bound after the connect, or zero
     * @return this builder
     */
    public Builder timeout(Duration value) {
      s.set(Keys.CHECK_TIMEOUT, value);
      return this;
    }

    /**
     * A TCP connect check; see {@link HealthCheck#type()}.
     *
     * @return this builder
     */
    public Builder tcp() {
      s.set(Keys.CHECK_TYPE, Type.TCP);
      return this;
    }

    /**
     * An HTTP check sending {@code method path}; see {@link HealthCheck#httpMethod()} and {@link
     * HealthCheck#httpPath()}.
     *
     * @param method an HTTP method such as GET, HEAD or OPTIONS
     * @param path the path, starting with /
     * @return this builder
     */
    public Builder http(String method, String path) {
      s.set(Keys.CHECK_HTTP_METHOD, method);
      s.set(Keys.CHECK_HTTP_PATH, path);
      s.set(Keys.CHECK_TYPE, Type.HTTP);
      return this;
    }

    /**
     * See {@link HealthCheck#httpVersion()}.
     *
     * @param value HTTP/1.0 or HTTP/1.1
     * @return this builder
     */
    public Builder httpVersion(String value) {
      s.set(Keys.CHECK_HTTP_VERSION, value);
      return this;
    }

    /**
     * Adds a header to HTTP checks (a second with the same name replaces the first).
     *
     * @param name a header name (an HTTP token)
     * @param value printable ASCII, no line breaks
     * @return this builder
     */
    public Builder httpHeader(String name, String value) {
      if (!Syntax.token(name) || value == null || !value.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c < 0x7f))) {
        throw new ConfigException(Keys.PREFIX + "check.http-header." + name, String.valueOf(value),
            "a header name (HTTP token) and a value of printable ASCII characters");
      }
      headers.put(name, value);
      return this;
    }

    /**
     * See {@link HealthCheck#httpBody()}.
     *
     * @param value up to 4096 printable ASCII characters
     * @return this builder
     */
    public Builder httpBody(String value) {
      s.set(Keys.CHECK_HTTP_BODY, value);
      return this;
    }

    /**
     * See {@link HealthCheck#httpExpect()}.
     *
     * @param value the expectation
     * @return this builder
     */
    public Builder httpExpect(Expect value) {
      s.set(Keys.CHECK_HTTP_EXPECT, value);
      return this;
    }

    /**
     * See {@link HealthCheck#httpDisableOn404()}.
     *
     * @param value true to drain a server that answers 404
     * @return this builder
     */
    public Builder httpDisableOn404(boolean value) {
      s.set(Keys.CHECK_HTTP_DISABLE_ON_404, value);
      return this;
    }

    /**
     * See {@link HealthCheck#ssl()}.
     *
     * @param value true to check over TLS
     * @return this builder
     */
    public Builder ssl(boolean value) {
      s.set(Keys.CHECK_SSL, value);
      return this;
    }

    /** {@return the check settings} */
    public HealthCheck build() {
      return new HealthCheck(s, headers);
    }
  }
}
