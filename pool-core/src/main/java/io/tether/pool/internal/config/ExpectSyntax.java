package io.tether.pool.internal.config;

import io.tether.pool.HealthCheck.Expect;
import io.tether.pool.HealthCheck.Expect.Kind;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * HAProxy's {@code http-check expect} as {@link Expect} reads, checks and applies it: the grammar behind
 * the public record, kept here so the record stays a value.
 */
public final class ExpectSyntax {
  private ExpectSyntax() {}

  /**
   * Refuses a pattern HAProxy would refuse: codes 100-599 and ascending ranges for {@code status}, a
   * valid regular expression for the {@code r*} kinds, never an empty one.
   *
   * @param kind what is matched
   * @param pattern the codes, regular expression or string
   * @throws IllegalArgumentException naming the pattern and what was expected
   */
  public static void check(Kind kind, String pattern) {
    if (pattern.isEmpty()) {
      throw new IllegalArgumentException("http-check expect " + kind + " needs a pattern");
    }
    if (kind == Kind.STATUS) {
      for (String part : pattern.split(",", -1)) {
        String[] r = part.split("-", -1);
        if (r.length > 2 || !code(r[0])
            || (r.length == 2 && (!code(r[1]) || Integer.parseInt(r[1]) < Integer.parseInt(r[0])))) {
          throw new IllegalArgumentException("status codes '" + pattern
              + "' (expected: codes 100-599 and ranges such as 200,204,300-399)");
        }
      }
    } else if (kind == Kind.RSTATUS || kind == Kind.RSTRING) {
      try {
        Pattern.compile(pattern);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("regular expression '" + pattern + "': " + e.getDescription());
      }
    }
  }

  private static boolean code(String s) {
    Long v = Syntax.integer(s);
    return v != null && s.length() == 3 && v >= 100 && v <= 599;
  }

  /**
   * {@return the expectation written {@code [!] status|rstatus|string|rstring <pattern>}}
   *
   * @param text the words after {@code http-check expect}
   * @throws IllegalArgumentException if it is not of that form
   */
  public static Expect parse(String text) {
    String s = Syntax.trim(text);
    boolean neg = s.startsWith("!");
    if (neg) {
      s = Syntax.trim(s.substring(1));
    }
    int sp = s.indexOf(' ');
    if (sp < 0) {
      throw new IllegalArgumentException("'" + text + "' (expected: [!] status|rstatus|string|rstring <pattern>)");
    }
    String word = s.substring(0, sp);
    Kind k;
    switch (word) {
      case "status":
        k = Kind.STATUS;
        break;
      case "rstatus":
        k = Kind.RSTATUS;
        break;
      case "string":
        k = Kind.STRING;
        break;
      case "rstring":
        k = Kind.RSTRING;
        break;
      default:
        throw new IllegalArgumentException("'" + word + "' (expected: status, rstatus, string or rstring)");
    }
    return new Expect(k, neg, Syntax.trim(s.substring(sp + 1)));
  }

  /**
   * {@return whether the response matches the pattern, before any negation}
   *
   * @param e the expectation
   * @param status the response's status code
   * @param body the response body as text (only the string kinds read it)
   */
  public static boolean matches(Expect e, int status, String body) {
    switch (e.kind()) {
      case STATUS:
        return statusIn(e.pattern(), status);
      case RSTATUS:
        return Pattern.compile(e.pattern()).matcher(Integer.toString(status)).find();
      case STRING:
        return body.contains(e.pattern());
      default:
        return Pattern.compile(e.pattern()).matcher(body).find();
    }
  }

  private static boolean statusIn(String pattern, int status) {
    for (String part : pattern.split(",")) {
      String[] r = part.split("-");
      int lo = Integer.parseInt(r[0]);
      int hi = r.length == 2 ? Integer.parseInt(r[1]) : lo;
      if (status >= lo && status <= hi) {
        return true;
      }
    }
    return false;
  }
}
