package io.tether.pool.spi;

import io.tether.pool.PoolConfig;
import io.tether.pool.PoolListener;
import io.tether.pool.metrics.PoolMetricsRecorder;
import java.util.Objects;

/**
 * The options every transport adapter's builder shares (the Netty 4 channel pool, the HTTP client, the
 * Netty 3 pool), declared once so that a setter means the same thing, with the same default, on each.
 * Options that depend on the transport (TLS, where timed work runs, the bootstrap) stay on the
 * adapter's own builder. Not thread-safe: build on one thread.
 *
 * @param <B> the adapter's builder, which every setter returns so that calls chain
 */
public abstract class AdapterBuilder<B extends AdapterBuilder<B>> {
  private PoolConfig config = PoolConfig.builder().build();
  private PoolListener listener = PoolListener.NONE;
  private PoolMetricsRecorder metrics = PoolMetricsRecorder.NOOP;
  private Ticker ticker = Ticker.system();
  private HealthProbe healthProbe;

  /** For adapters' builders. */
  protected AdapterBuilder() {}

  /**
   * The pool's configuration; default {@code PoolConfig.builder().build()}, which names no server (each
   * adapter says where its server then comes from, or refuses).
   *
   * @param value the configuration
   * @return this builder
   */
  public B config(PoolConfig value) {
    this.config = Objects.requireNonNull(value, "config");
    return self();
  }

  /**
   * Lifecycle events; see {@link PoolListener} for who calls it on which thread. Default none.
   *
   * @param value the listener
   * @return this builder
   */
  public B listener(PoolListener value) {
    this.listener = Objects.requireNonNull(value, "listener");
    return self();
  }

  /**
   * Measurements; default none. Bind Micrometer with {@code io.tether.pool.metrics.micrometer}.
   *
   * @param value the recorder
   * @return this builder
   */
  public B metrics(PoolMetricsRecorder value) {
    this.metrics = Objects.requireNonNull(value, "metrics");
    return self();
  }

  /**
   * The pool's one clock; default {@link Ticker#system()}. Tests pass a fake one.
   *
   * @param value the clock
   * @return this builder
   */
  public B ticker(Ticker value) {
    this.ticker = Objects.requireNonNull(value, "ticker");
    return self();
  }

  /**
   * How servers are checked when {@code tether.pool.check} is on; default the adapter's own probe (a
   * TCP connect or an HTTP request, as {@code check.type} says, over the adapter's transport).
   *
   * @param value the probe
   * @return this builder
   */
  public B healthProbe(HealthProbe value) {
    this.healthProbe = Objects.requireNonNull(value, "probe");
    return self();
  }

  /**
   * Takes every shared option from {@code other}, the builder of an adapter built on this one (the HTTP
   * client on the channel pool), so that an option declared here reaches the inner adapter without each
   * outer one copying it by hand.
   *
   * @param other the outer adapter's builder
   * @return this builder
   */
  public B sharedOptionsFrom(AdapterBuilder<?> other) {
    this.config = other.config;
    this.listener = other.listener;
    this.metrics = other.metrics;
    this.ticker = other.ticker;
    this.healthProbe = other.healthProbe;
    return self();
  }

  /** {@return the configuration set, or the default} */
  public PoolConfig config() {
    return config;
  }

  /** {@return the listener set, or {@link PoolListener#NONE}} */
  public PoolListener listener() {
    return listener;
  }

  /** {@return the recorder set, or {@link PoolMetricsRecorder#NOOP}} */
  public PoolMetricsRecorder metrics() {
    return metrics;
  }

  /** {@return the clock set, or the system clock} */
  public Ticker ticker() {
    return ticker;
  }

  /** {@return the probe set, or null when the adapter's default applies} */
  public HealthProbe healthProbe() {
    return healthProbe;
  }

  @SuppressWarnings("unchecked") // B is this class's own subtype by declaration
  private B self() {
    return (B) this;
  }
}
