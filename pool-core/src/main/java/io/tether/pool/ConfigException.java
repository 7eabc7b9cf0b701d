package io.tether.pool;

/**
 * A configuration value was rejected. The message names the key, the value given and what is allowed,
 * for example {@code tether.pool.evict-after: 11m (expected: below tether.pool.lb-idle-timeout 10m)}.
 */
public final class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final String value;

  public ConfigException(String key, String value, String expected) {
    super(key + ": " + value + " (expected: " + expected + ")");
    this.key = key;
    this.value = value;
  }

  /** The full property key, e.g. {@code tether.pool.evict-after}. */
  public String key() {
    return key;
  }

  /** The rejected value as given. */
  public String value() {
    return value;
  }
}
