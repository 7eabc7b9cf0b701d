package io.tether.pool.haproxy;

import java.util.List;

/**
 * A value derived from a {@code haproxy.cfg}, with how it was found and what to watch out for.
 *
 * @param <T> the value's type
 * @param value the value; null when HAProxy sets none (for a timeout: it never fires)
 * @param explanation one sentence per step, naming each setting with its section and line, e.g. {@code
 *     timeout client 2s (defaults, line 4) caps timeout http-keep-alive 6s (frontend fe, line 12)}
 * @param warnings settings that make pooled clients fail, or that Tether cannot follow, and what each costs
 * @param line the line of the setting that decided the value, or 0
 */
public record Derivation<T>(T value, List<String> explanation, List<String> warnings, int line) {

  /**
   * Copies the lists.
   *
   * @param value the value, or null
   * @param explanation how it was found
   * @param warnings what to watch out for
   * @param line the deciding line, or 0
   */
  public Derivation {
    explanation = List.copyOf(explanation);
    warnings = List.copyOf(warnings);
  }

  /** {@return the explanation and warnings as text, one line each} */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    explanation.forEach(e -> sb.append(e).append('\n'));
    warnings.forEach(w -> sb.append("warning: ").append(w).append('\n'));
    return sb.toString();
  }
}
