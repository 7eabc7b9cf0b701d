package io.tether.pool.internal.config;

import io.tether.pool.ConfigException;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One {@code tether.pool.*} setting, declared once in {@link Keys}: its name, the group it belongs to,
 * how it is written and read, the range it must be in, its default, and whether a live pool may change
 * it. Builders validate through it, properties parse and print through it, the documentation table and
 * {@code reconfigure} are derived from it.
 *
 * @param <T> the value's Java type
 */
public final class Key<T> {
  /** Which typed group the key belongs to; {@code reconfigure} compares groups. */
  public enum Group {
    /** Limits, names, timeouts of the pool itself. */
    POOL,
    /** Idle eviction and lifetime: {@code io.tether.pool.Eviction}. */
    EVICTION,
    /** Active health checks: {@code io.tether.pool.HealthCheck}. */
    CHECK,
    /** Servers from DNS: {@code io.tether.pool.Discovery}. */
    DISCOVERY
  }

  private final String name;
  private final Group group;
  private final String type;
  private final String defaultText;
  private final String meaning;
  private final boolean live;
  private final T defaultValue;
  private final Function<String, T> parser;
  private final Function<T, String> formatter;
  private final Predicate<T> inRange;
  private final String expected;
  final int index;

  Key(int index, String name, Group group, String type, T defaultValue, String defaultText, String meaning,
      boolean live, Function<String, T> parser, Function<T, String> formatter, Predicate<T> inRange,
      String expected) {
    this.index = index;
    this.name = name;
    this.group = group;
    this.type = type;
    this.defaultValue = defaultValue;
    this.defaultText = defaultText;
    this.meaning = meaning;
    this.live = live;
    this.parser = parser;
    this.formatter = formatter;
    this.inRange = inRange;
    this.expected = expected;
  }

  /** {@return the name after the prefix, e.g. {@code evict-after}} */
  public String name() {
    return name;
  }

  /** {@return {@code tether.pool.<name>}} */
  public String fullName() {
    return Keys.PREFIX + name;
  }

  /** {@return the group it belongs to} */
  public Group group() {
    return group;
  }

  /** {@return the type and range as documented, e.g. {@code duration 10ms-24d}} */
  public String type() {
    return type;
  }

  /** {@return the default as documented (a value, or how it is derived)} */
  public String defaultText() {
    return defaultText;
  }

  /** {@return one sentence saying what it does} */
  public String meaning() {
    return meaning;
  }

  /** {@return whether {@code reconfigure} may change it on a live pool} */
  public boolean live() {
    return live;
  }

  /** {@return the default value, or null when it is derived from other keys} */
  public T defaultValue() {
    return defaultValue;
  }

  /** {@return what a valid value looks like, as messages say it} */
  public String expected() {
    return expected;
  }

  /**
   * Parses a value as written in a properties file.
   *
   * @param raw the text as written
   * @return the value, in range
   * @throws ConfigException naming this key, {@code raw} and the allowed range
   */
  public T parse(String raw) {
    T v = raw == null ? null : parser.apply(raw);
    if (v == null || !inRange.test(v)) {
      throw new ConfigException(fullName(), String.valueOf(raw), expected);
    }
    return v;
  }

  /**
   * Checks a value given to a builder.
   *
   * @param value the value
   * @return {@code value}
   * @throws ConfigException naming this key, the value and the allowed range
   */
  public T check(T value) {
    if (value == null || !inRange.test(value)) {
      throw new ConfigException(fullName(), value == null ? "null" : formatter.apply(value), expected);
    }
    return value;
  }

  /** {@return whether {@code value} is in this key's range} */
  boolean accepts(T value) {
    return value != null && inRange.test(value);
  }

  /**
   * {@return {@code value} as {@link #parse} reads it back}
   *
   * @param value a value of this key
   */
  public String format(T value) {
    return formatter.apply(Objects.requireNonNull(value));
  }

  @Override
  public String toString() {
    return fullName();
  }
}
