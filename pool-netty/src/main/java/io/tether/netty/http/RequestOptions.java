package io.tether.netty.http;

import java.time.Duration;
import java.util.Objects;

/**
 * What one request asks for beyond the client's defaults; immutable. {@link #DEFAULT} asks for nothing.
 *
 * <ul>
 *   <li>{@link #timeout(Duration)}: the whole exchange, from {@code send} until the response has fully
 *       arrived (waiting for a connection, writing, every retry). When it passes, the request fails with
 *       {@link io.tether.pool.ResponseTimeoutException}, its acquire is withdrawn or its connection
 *       closed. Default: the client's {@link TetherHttpClient.Builder#requestTimeout request timeout},
 *       counted per attempt from the moment the request is written.
 *   <li>{@link #firstByteTimeout(Duration)}: from the moment the request is written until the first
 *       byte of the response. Default: the client's {@link TetherHttpClient.Builder#firstByteTimeout}.
 *   <li>{@link #idempotent(boolean)}: whether a retry may send it again, overriding its method's say
 *       (GET, HEAD, OPTIONS, TRACE, PUT and DELETE are idempotent): say {@code true} for a POST that
 *       carries an {@code Idempotency-Key}.
 *   <li>{@link #affinityKey(Object)}: a session key, as {@link TetherHttpClient#send(
 *       io.netty.handler.codec.http.FullHttpRequest, Object)}.
 * </ul>
 */
public final class RequestOptions {
  /** No options: the client's defaults. */
  public static final RequestOptions DEFAULT = new RequestOptions(null, null, null, null);

  private final Duration timeout;
  private final Duration firstByteTimeout;
  private final Boolean idempotent;
  private final Object affinityKey;

  private RequestOptions(Duration timeout, Duration firstByteTimeout, Boolean idempotent, Object affinityKey) {
    this.timeout = timeout;
    this.firstByteTimeout = firstByteTimeout;
    this.idempotent = idempotent;
    this.affinityKey = affinityKey;
  }

  private static Duration positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
    return value;
  }

  /**
   * These options with a deadline for the whole exchange.
   *
   * @param value positive
   * @return new options
   */
  public RequestOptions timeout(Duration value) {
    return new RequestOptions(positive("timeout", value), firstByteTimeout, idempotent, affinityKey);
  }

  /**
   * These options with a deadline for the response's first byte, counted from the write.
   *
   * @param value positive
   * @return new options
   */
  public RequestOptions firstByteTimeout(Duration value) {
    return new RequestOptions(timeout, positive("firstByteTimeout", value), idempotent, affinityKey);
  }

  /**
   * These options saying whether the request may be sent again after its connection failed.
   *
   * @param value true to allow retries whatever the method, false to forbid them
   * @return new options
   */
  public RequestOptions idempotent(boolean value) {
    return new RequestOptions(timeout, firstByteTimeout, value, affinityKey);
  }

  /**
   * These options with a session key (null for none).
   *
   * @param value compared with {@code equals}
   * @return new options
   */
  public RequestOptions affinityKey(Object value) {
    return new RequestOptions(timeout, firstByteTimeout, idempotent, value);
  }

  /** {@return the whole exchange's deadline, or null for the client's request timeout} */
  public Duration timeout() {
    return timeout;
  }

  /** {@return the first byte's deadline, or null for the client's} */
  public Duration firstByteTimeout() {
    return firstByteTimeout;
  }

  /** {@return the request's own say on retries, or null for its method's} */
  public Boolean idempotent() {
    return idempotent;
  }

  /** {@return the session key, or null} */
  public Object affinityKey() {
    return affinityKey;
  }

  @Override
  public String toString() {
    return "RequestOptions{timeout=" + timeout + ", firstByteTimeout=" + firstByteTimeout + ", idempotent="
        + idempotent + ", affinityKey=" + affinityKey + "}";
  }
}
