package io.tether.pool.haproxy;

import java.util.List;

/**
 * One configuration line as HAProxy reads it: its words after quoting, escapes and environment
 * expansion, and where it is. A leading {@code no} or {@code default} modifier is kept apart, as HAProxy
 * does ({@code no option redispatch} has the words {@code option redispatch} and the modifier {@code no}).
 * The words end at the first empty one: HAProxy's keyword parsers stop there.
 *
 * @param words the words, the keyword first
 * @param line the line number, from 1
 * @param modifier {@code "no"}, {@code "default"} or empty
 */
public record Directive(List<String> words, int line, String modifier) {

  /**
   * Copies the words.
   *
   * @param words the words, the keyword first
   * @param line the line number, from 1
   * @param modifier {@code "no"}, {@code "default"} or empty
   */
  public Directive {
    words = List.copyOf(words);
  }

  /** {@return the directive's first word, e.g. {@code timeout}} */
  public String keyword() {
    return words.get(0);
  }

  /**
   * {@return the word at {@code i} after the keyword (0 is the first argument), or null}
   *
   * @param i index from 0
   */
  public String arg(int i) {
    return i + 1 < words.size() ? words.get(i + 1) : null;
  }

  /** {@return whether the line starts with {@code no}} */
  public boolean negated() {
    return modifier.equals("no");
  }

  /** {@return the line as read back from its words, for messages} */
  public String text() {
    return (modifier.isEmpty() ? "" : modifier + " ") + String.join(" ", words);
  }
}
