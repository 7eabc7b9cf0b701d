package io.tether.netty.http;

import io.tether.pool.EndpointDownException;
import io.tether.pool.ResponseTimeoutException;
import io.tether.pool.StaleConnectionException;
import io.tether.pool.spi.PeerErrors;
import java.time.Duration;
import java.util.Objects;

/**
 * When {@link TetherHttpClient} sends a request again: how many retries per request, and a budget that
 * caps retries across all requests, so that a failing backend gets at most a fraction more load
 * instead of a retry storm (the budget of Finagle's {@code RetryBudget} and Envoy's {@code
 * retry_budget}). Immutable.
 *
 * <p>Only failures of the connection are retried, never of the request: a stale connection (closed or
 * reset before any response byte), a reset or close mid-response, a response timeout, the server being
 * shut down. A malformed or oversized response would only repeat. Only idempotent requests are retried
 * (their method, or {@link RequestOptions#idempotent(boolean)}); each retry goes to a newly opened
 * connection, to another server when one is up.
 *
 * <p>The budget: over the last {@link #window()}, retries may be at most {@link #budgetRatio()} of the
 * requests sent, plus {@link #minRetriesPerSecond()} per second of the window so that a quiet client can
 * still retry. A retry the budget refuses fails the request with its original cause and counts as
 * {@code tether.pool.retries.refused}.
 */
public final class RetryPolicy {
  /** Never retry. */
  public static final RetryPolicy NONE = new RetryPolicy(0, 0, 0, Duration.ofSeconds(10));

  /** One retry per request; retries at most 20% of requests over 10 s, plus 10 per second. */
  public static final RetryPolicy DEFAULT = new RetryPolicy(1, 0.2, 10, Duration.ofSeconds(10));

  private final int maxRetries;
  private final double budgetRatio;
  private final int minRetriesPerSecond;
  private final Duration window;

  private RetryPolicy(int maxRetries, double budgetRatio, int minRetriesPerSecond, Duration window) {
    this.maxRetries = maxRetries;
    this.budgetRatio = budgetRatio;
    this.minRetriesPerSecond = minRetriesPerSecond;
    this.window = window;
  }

  /**
   * A policy of {@code maxRetries} per request (0 to 10) under a budget.
   *
   * @param maxRetries retries of one request, 0 to 10
   * @param budgetRatio retries per request sent over the window, 0.0 to 1.0
   * @param minRetriesPerSecond retries allowed whatever the traffic, 0 to 10,000 per second
   * @param window the sliding window, 1 s to 10 min
   * @return the policy
   */
  public static RetryPolicy of(int maxRetries, double budgetRatio, int minRetriesPerSecond, Duration window) {
    if (maxRetries < 0 || maxRetries > 10) {
      throw new IllegalArgumentException("maxRetries " + maxRetries + " (expected 0 to 10)");
    }
    if (!(budgetRatio >= 0 && budgetRatio <= 1)) {
      throw new IllegalArgumentException("budgetRatio " + budgetRatio + " (expected 0.0 to 1.0)");
    }
    if (minRetriesPerSecond < 0 || minRetriesPerSecond > 10_000) {
      throw new IllegalArgumentException("minRetriesPerSecond " + minRetriesPerSecond + " (expected 0 to 10000)");
    }
    Objects.requireNonNull(window, "window");
    if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("window " + window + " (expected 1s to 10m)");
    }
    return new RetryPolicy(maxRetries, budgetRatio, minRetriesPerSecond, window);
  }

  /** {@return retries of one request} */
  public int maxRetries() {
    return maxRetries;
  }

  /** {@return retries allowed per request sent, over the window} */
  public double budgetRatio() {
    return budgetRatio;
  }

  /** {@return retries per second allowed whatever the traffic} */
  public int minRetriesPerSecond() {
    return minRetriesPerSecond;
  }

  /** {@return the budget's sliding window} */
  public Duration window() {
    return window;
  }

  @Override
  public String toString() {
    return "RetryPolicy{maxRetries=" + maxRetries + ", budgetRatio=" + budgetRatio + ", minRetriesPerSecond="
        + minRetriesPerSecond + ", window=" + window + "}";
  }

  /**
   * Whether the failure belongs to the connection rather than to the request: the peer went away
   * (before or during the response), stopped answering, or its server was shut down. Such a failure
   * says nothing about the request, so an idempotent one may be sent again; a malformed or oversized
   * response would only repeat.
   */
  static boolean connectionLevel(Throwable cause) {
    return cause instanceof StaleConnectionException
        || cause instanceof ResponseTimeoutException
        || cause instanceof EndpointDownException
        || (cause instanceof InvalidResponseException
            && ((InvalidResponseException) cause).kind() == InvalidResponseException.Kind.TRUNCATED)
        || PeerErrors.isPeerAbort(cause);
  }

  /** The retry metric's {@code reason} tag for the failure that made a request go again. */
  static String reasonOf(Throwable cause) {
    if (cause instanceof StaleConnectionException) {
      return "stale";
    }
    if (cause instanceof ResponseTimeoutException) {
      return "timeout";
    }
    if (cause instanceof EndpointDownException) {
      return "endpoint-down";
    }
    return "reset";
  }
}
