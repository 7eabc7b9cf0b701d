package io.tether.pool;

/**
 * A configuration value was rejected. The message names the key, the value given and what is allowed,
 * for example {@code tether.pool.evict-after: 11m (expected: below tether.pool.lb-idle-timeout 10m)},
 * and the file it came from when there was one.
 *
 * @serial exclude
 */
public final class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final String value;
  private final String expected;
  private final String source;

  /**
   * A bad value for {@code key}; {@code expected} says what is allowed.
   *
   * @param key the full property key, such as {@code tether.pool.evict-after} (or a haproxy.cfg keyword)
   * @param value the new value
   * @param expected what is allowed, e.g. a range
   */
  public ConfigException(String key, String value, String expected) {
    this(key, value, expected, null);
  }

  private ConfigException(String key, String value, String expected, String source) {
    super(key + ": " + value + " (expected: " + expected + ")" + (source == null ? "" : " in " + source));
    this.key = key;
    this.value = value;
    this.expected = expected;
    this.source = source;
  }

  /**
   * {@return the same error, saying which file or source the value came from}
   *
   * @param where a file path or "system properties"
   */
  public ConfigException in(String where) {
    ConfigException e = new ConfigException(key, value, expected, where);
    e.setStackTrace(getStackTrace());
    return e;
  }

  /** {@return the full property key, e.g. {@code tether.pool.evict-after}} */
  public String key() {
    return key;
  }

  /** {@return the rejected value as given} */
  public String value() {
    return value;
  }

  /** {@return where the value came from (a file path, "system properties"), or null} */
  public String source() {
    return source;
  }
}
