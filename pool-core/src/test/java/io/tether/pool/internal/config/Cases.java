package io.tether.pool.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.function.Predicate;

/** Table tests of the config grammar: each text against the answer its rule must give. */
final class Cases {
  private Cases() {}

  /** Asserts {@code rule} answers each case's expected value, naming the rule and the text on failure. */
  static void check(Map<String, Boolean> cases, Predicate<String> rule, String name) {
    cases.forEach((text, expected) -> assertEquals(expected, rule.test(text), name + "(\"" + text + "\")"));
  }
}
