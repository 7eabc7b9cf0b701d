package io.tether.pool.internal.config;

/**
 * Values of {@link Keys} set explicitly, one slot per key; unset slots read as the key's default.
 * Builders own one and copy it into what they build, so built objects stay immutable. Not thread-safe.
 */
public final class Settings {
  private final Object[] values;

  public Settings() {
    this.values = new Object[Keys.count()];
  }

  private Settings(Object[] values) {
    this.values = values;
  }

  public Settings copy() {
    return new Settings(values.clone());
  }

  /** Sets {@code key} after checking the value against its range. */
  public <T> void set(Key<T> key, T value) {
    values[key.index] = key.check(value);
  }

  /** Forgets an explicit value: the key reads as its default again. */
  public void clear(Key<?> key) {
    values[key.index] = null;
  }

  /** Whether {@code key} was set explicitly. */
  public boolean isSet(Key<?> key) {
    return values[key.index] != null;
  }

  /** The explicit value, else the key's default (null for a derived default). */
  @SuppressWarnings("unchecked")
  public <T> T get(Key<T> key) {
    Object v = values[key.index];
    return v != null ? (T) v : key.defaultValue();
  }

  /** Copies every explicit value of {@code group} from {@code from}, clearing this group's others. */
  public void replaceGroup(Key.Group group, Settings from) {
    for (Key<?> k : Keys.all()) {
      if (k.group() == group) {
        values[k.index] = from.values[k.index];
      }
    }
  }

  /** Copies every explicit value of {@code group} from {@code from}; the others stay as they are. */
  public void mergeGroup(Key.Group group, Settings from) {
    for (Key<?> k : Keys.all()) {
      if (k.group() == group && from.values[k.index] != null) {
        values[k.index] = from.values[k.index];
      }
    }
  }
}
