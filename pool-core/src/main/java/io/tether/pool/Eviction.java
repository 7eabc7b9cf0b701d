package io.tether.pool;

import io.tether.pool.internal.config.Key;
import io.tether.pool.internal.config.Keys;
import io.tether.pool.internal.config.Settings;
import io.tether.pool.internal.config.Syntax;
import java.time.Duration;
import java.util.Objects;

/**
 * When a pool closes connections on its own: before the load balancer's idle timeout, and at a maximum
 * age. Part of {@link PoolConfig}; every setting here may change on a live pool ({@link
 * ConnectionPool#reconfigure}).
 *
 * <p>A load balancer closes a keep-alive connection that stays idle past its timeout ({@code timeout
 * http-keep-alive}, {@code timeout client}, {@code timeout server}); the pool closes it first, at {@link
 * #evictAfter()}, given directly or derived as {@link #evictRatio()} times {@link #lbIdleTimeout()}
 * (default 0.9 of 50s, Debian's HAProxy default). Each connection's deadline is moved earlier by its own
 * random share of {@link #jitter()}, never later; a connection within {@link #handoutMargin()} of its
 * deadline or lifetime is closed instead of handed out.
 *
 * <p>Immutable and thread-safe.
 */
public final class Eviction {
  static final Duration MAX_DEFAULT_MARGIN = Duration.ofMillis(500);

  private final Settings settings;
  private final Duration lbIdleTimeout;
  private final double evictRatio;
  private final Duration evictAfter;
  private final double jitter;
  private final Duration maxLifetime;
  private final Duration handoutMargin;
  private final Duration lbFirstRequestTimeout;
  private final Duration evictUnusedAfter;

  Eviction(Settings source) {
    this.settings = source.copy();
    this.lbIdleTimeout = settings.get(Keys.LB_IDLE_TIMEOUT);
    this.evictRatio = settings.get(Keys.EVICT_RATIO);
    this.jitter = settings.get(Keys.JITTER);
    this.maxLifetime = settings.get(Keys.MAX_LIFETIME);
    if (settings.isSet(Keys.EVICT_AFTER)) {
      this.evictAfter = settings.get(Keys.EVICT_AFTER);
      if (evictAfter.compareTo(lbIdleTimeout) >= 0) {
        throw new ConfigException(Keys.EVICT_AFTER.fullName(), Syntax.formatDuration(evictAfter),
            "below " + Keys.LB_IDLE_TIMEOUT.fullName() + " " + Syntax.formatDuration(lbIdleTimeout)
                + (settings.isSet(Keys.LB_IDLE_TIMEOUT) ? "" : " (its default; set it to the balancer's idle timeout)"));
      }
    } else {
      Duration derived = Duration.ofNanos(Math.round(lbIdleTimeout.toNanos() * evictRatio));
      if (!accepts(Keys.EVICT_AFTER, derived)) {
        throw new ConfigException(Keys.EVICT_AFTER.fullName(), Syntax.formatDuration(derived)
            + " (" + Keys.EVICT_RATIO.fullName() + " " + Syntax.formatRatio(evictRatio) + " x "
            + Keys.LB_IDLE_TIMEOUT.fullName() + " " + Syntax.formatDuration(lbIdleTimeout) + ")",
            Keys.EVICT_AFTER.expected());
      }
      this.evictAfter = derived;
    }
    this.lbFirstRequestTimeout = settings.get(Keys.LB_FIRST_REQUEST_TIMEOUT);
    Duration unused = Duration.ofNanos(Math.round(lbFirstRequestTimeout.toNanos() * evictRatio));
    this.evictUnusedAfter = lbFirstRequestTimeout.isZero() || unused.compareTo(evictAfter) >= 0 ? evictAfter : unused;
    // The never-used deadline is the shorter one; the margin must fit below it as below the other.
    Duration shortestIdle = Duration.ofNanos((long) (evictUnusedAfter.toNanos() * (1 - jitter)));
    Duration shortestLife = maxLifetime.isZero() ? null : Duration.ofNanos((long) (maxLifetime.toNanos() * (1 - jitter)));
    if (settings.isSet(Keys.HANDOUT_MARGIN)) {
      this.handoutMargin = settings.get(Keys.HANDOUT_MARGIN);
      if (handoutMargin.compareTo(shortestIdle) >= 0) {
        throw new ConfigException(Keys.HANDOUT_MARGIN.fullName(), Syntax.formatDuration(handoutMargin),
            "below the shortest jittered idle time " + Syntax.formatDuration(shortestIdle) + " ("
                + (evictUnusedAfter == evictAfter ? Keys.EVICT_AFTER.fullName() + " " + Syntax.formatDuration(evictAfter)
                    : Keys.EVICT_RATIO.fullName() + " x " + Keys.LB_FIRST_REQUEST_TIMEOUT.fullName() + " "
                        + Syntax.formatDuration(evictUnusedAfter))
                + " less " + Keys.JITTER.fullName() + " " + Syntax.formatRatio(jitter) + ")");
      }
      if (shortestLife != null && handoutMargin.compareTo(shortestLife) >= 0) {
        throw new ConfigException(Keys.HANDOUT_MARGIN.fullName(), Syntax.formatDuration(handoutMargin),
            "below the shortest jittered lifetime " + Syntax.formatDuration(shortestLife) + " ("
                + Keys.MAX_LIFETIME.fullName() + " " + Syntax.formatDuration(maxLifetime) + " less "
                + Keys.JITTER.fullName() + " " + Syntax.formatRatio(jitter) + ")");
      }
    } else {
      Duration margin = evictUnusedAfter.dividedBy(20);
      if (margin.compareTo(MAX_DEFAULT_MARGIN) > 0) {
        margin = MAX_DEFAULT_MARGIN;
      }
      if (shortestLife != null && margin.compareTo(shortestLife.dividedBy(2)) > 0) {
        margin = shortestLife.dividedBy(2);
      }
      this.handoutMargin = margin;
    }
  }

  private static <T> boolean accepts(Key<T> key, T value) {
    try {
      key.check(value);
      return true;
    } catch (ConfigException e) {
      return false;
    }
  }

  /** {@return a builder with every setting at its default} */
  public static Builder builder() {
    return new Builder(new Settings());
  }

  /** {@return a builder holding these settings, to derive a modified copy} */
  public Builder toBuilder() {
    return new Builder(settings.copy());
  }

  Settings settings() {
    return settings;
  }

  /**
   * The load balancer's idle timeout that connections must not reach. Key {@code lb-idle-timeout};
   * default 50s (Debian's {@code timeout client 50000}).
   *
   * @return the balancer's idle timeout
   */
  public Duration lbIdleTimeout() {
    return lbIdleTimeout;
  }

  /** {@return fraction of {@link #lbIdleTimeout()} at which to evict} Key {@code evict-ratio}; default 0.9. */
  public double evictRatio() {
    return evictRatio;
  }

  /**
   * Idle time (since the last byte in or out) after which a connection is closed, before jitter. Key
   * {@code evict-after}; default {@code evict-ratio} times {@code lb-idle-timeout}.
   *
   * @return the idle time after which a connection is closed, before jitter
   */
  public Duration evictAfter() {
    return evictAfter;
  }

  /**
   * Largest fraction by which each connection's idle deadline and lifetime are moved earlier, drawn
   * uniformly per connection; never later. Key {@code jitter}; default 0.05 (5%).
   *
   * @return the largest fraction by which deadlines move earlier
   */
  public double jitter() {
    return jitter;
  }

  /**
   * Maximum age of a connection, jittered like the idle deadline; zero means unlimited. A leased
   * connection past it is closed when released. Key {@code max-lifetime}; default 0.
   *
   * @return the maximum connection age, or zero for unlimited
   */
  public Duration maxLifetime() {
    return maxLifetime;
  }

  /**
   * The balancer's idle timeout for a connection that has not carried a request yet: HAProxy's {@code
   * timeout http-request} (it answers such a connection with an unsolicited {@code 408} and closes it),
   * which is often shorter than {@code timeout http-keep-alive}. Tether counts a connection as unused
   * until its first lease. Key {@code lb-first-request-timeout}; default 0: the same as {@link
   * #lbIdleTimeout()}.
   *
   * @return the timeout for never-used connections, or zero for none of its own
   */
  public Duration lbFirstRequestTimeout() {
    return lbFirstRequestTimeout;
  }

  /**
   * Idle time after which a connection that was never leased is closed, before jitter: the shorter of
   * {@link #evictAfter()} and {@code evict-ratio} times {@link #lbFirstRequestTimeout()}. Derived, no key
   * of its own; matters for connections opened by {@code min-idle} warm-up.
   *
   * @return the idle time after which a never-leased connection is closed, before jitter
   */
  public Duration evictUnusedAfter() {
    return evictUnusedAfter;
  }

  /**
   * A connection closer than this to its idle deadline or its lifetime is closed instead of handed out,
   * whether or not a sweep has run. Key {@code handout-margin}; default the smaller of 500ms and 5% of
   * {@code evict-after}.
   *
   * @return how close to its deadline a connection may be and still be handed out
   */
  public Duration handoutMargin() {
    return handoutMargin;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Eviction e && lbIdleTimeout.equals(e.lbIdleTimeout) && evictRatio == e.evictRatio
        && evictAfter.equals(e.evictAfter) && jitter == e.jitter && maxLifetime.equals(e.maxLifetime)
        && handoutMargin.equals(e.handoutMargin) && lbFirstRequestTimeout.equals(e.lbFirstRequestTimeout);
  }

  @Override
  public int hashCode() {
    return Objects.hash(lbIdleTimeout, evictRatio, evictAfter, jitter, maxLifetime, handoutMargin, lbFirstRequestTimeout);
  }

  @Override
  public String toString() {
    return "Eviction{lb-idle-timeout=" + Syntax.formatDuration(lbIdleTimeout) + ", evict-after="
        + Syntax.formatDuration(evictAfter) + ", jitter=" + Syntax.formatRatio(jitter) + ", max-lifetime="
        + Syntax.formatDuration(maxLifetime) + ", handout-margin=" + Syntax.formatDuration(handoutMargin)
        + (lbFirstRequestTimeout.isZero() ? "" : ", lb-first-request-timeout=" + Syntax.formatDuration(lbFirstRequestTimeout))
        + "}";
  }

  /**
   * Collects eviction settings; each method checks its argument at once and names its key in the error.
   * Not thread-safe.
   */
  public static final class Builder {
    private final Settings s;

    Builder(Settings s) {
      this.s = s;
    }

    /**
     * See {@link Eviction#lbIdleTimeout()}; 10ms to 24d (HAProxy's largest timeout).
     *
     * @param value the balancer's idle timeout
     * @return this builder
     */
    public Builder lbIdleTimeout(Duration value) {
      s.set(Keys.LB_IDLE_TIMEOUT, value);
      return this;
    }

    /**
     * See {@link Eviction#evictRatio()}; above 0 and below 1.
     *
     * @param value the fraction
     * @return this builder
     */
    public Builder evictRatio(double value) {
      s.set(Keys.EVICT_RATIO, value);
      return this;
    }

    /**
     * See {@link Eviction#evictAfter()}; 10ms to 24d, and below {@code lb-idle-timeout}.
     *
     * @param value the idle time
     * @return this builder
     */
    public Builder evictAfter(Duration value) {
      s.set(Keys.EVICT_AFTER, value);
      return this;
    }

    /**
     * See {@link Eviction#jitter()}; 0 (off) to 0.5.
     *
     * @param value the fraction
     * @return this builder
     */
    public Builder jitter(double value) {
      s.set(Keys.JITTER, value);
      return this;
    }

    /**
     * See {@link Eviction#maxLifetime()}; 0 (unlimited) or 1s to 24d.
     *
     * @param value the maximum age
     * @return this builder
     */
    public Builder maxLifetime(Duration value) {
      s.set(Keys.MAX_LIFETIME, value);
      return this;
    }

    /**
     * See {@link Eviction#lbFirstRequestTimeout()}; 0 (none of its own) or 10ms to 24d.
     *
     * @param value the balancer's timeout for connections that never carried a request
     * @return this builder
     */
    public Builder lbFirstRequestTimeout(Duration value) {
      s.set(Keys.LB_FIRST_REQUEST_TIMEOUT, value);
      return this;
    }

    /**
     * See {@link Eviction#handoutMargin()}; 0 to 1m, and below the shortest jittered idle time.
     *
     * @param value the margin
     * @return this builder
     */
    public Builder handoutMargin(Duration value) {
      s.set(Keys.HANDOUT_MARGIN, value);
      return this;
    }

    /**
     * Checks the settings against each other.
     *
     * @return the eviction settings
     * @throws ConfigException naming the keys that disagree
     */
    public Eviction build() {
      return new Eviction(s);
    }
  }
}
