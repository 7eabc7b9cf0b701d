package io.tether.pool.haproxy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The expression of a {@code .if} or {@code .elif} line, evaluated as HAProxy 2.6's {@code cfgcond.c}
 * does: terms joined by {@code &&} (binding tighter) and {@code ||}, grouped with parentheses, negated
 * with {@code !}; a term is a number (non-zero is true) or a predicate with arguments in parentheses:
 * {@code defined(VAR)}, {@code feature(NAME)}, {@code streq(a,b)}, {@code strneq(a,b)}, {@code
 * version_atleast(v)}, {@code version_before(v)}, {@code openssl_version_atleast(v)}, {@code
 * openssl_version_before(v)}, {@code ssllib_name_startswith(s)}. An empty expression is false.
 */
final class Conditions {
  /** Thrown for an expression HAProxy would reject; the message is HAProxy's kind of message. */
  static final class Error extends Exception {
    private static final long serialVersionUID = 1L;

    Error(String message) {
      super(message);
    }
  }

  private static final int MAX_DEPTH = 1024;

  private final String text;
  private final Function<String, String> env;
  private final HaproxyBuild build;
  private int pos;

  private Conditions(String text, Function<String, String> env, HaproxyBuild build) {
    this.text = text;
    this.env = env;
    this.build = build;
  }

  /** Evaluates {@code text}, the words after {@code .if} joined by single spaces. */
  static boolean eval(String text, Function<String, String> env, HaproxyBuild build) throws Error {
    if (text.isEmpty()) {
      return false;
    }
    Conditions c = new Conditions(text, env, build);
    boolean v = c.expr(MAX_DEPTH);
    c.skipBlanks();
    if (c.pos < text.length()) {
      throw new Error("unexpected character '" + text.charAt(c.pos) + "' at the end of conditional expression '"
          + text + "'");
    }
    return v;
  }

  private void skipBlanks() {
    while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
      pos++;
    }
  }

  private boolean expr(int depth) throws Error {
    boolean v = and(depth - 1);
    skipBlanks();
    while (text.startsWith("||", pos)) {
      pos += 2;
      skipBlanks();
      boolean r = and(depth - 1);
      v = v || r; // HAProxy parses the whole expression before evaluating: errors anywhere count
      skipBlanks();
    }
    return v;
  }

  private boolean and(int depth) throws Error {
    if (pos >= text.length()) {
      throw new Error("unparsable conditional sub-expression '" + text.substring(Math.min(pos, text.length())) + "'");
    }
    boolean v = term(depth - 1);
    skipBlanks();
    while (text.startsWith("&&", pos)) {
      pos += 2;
      skipBlanks();
      boolean r = term(depth - 1);
      v = v && r;
      skipBlanks();
    }
    return v;
  }

  private boolean term(int depth) throws Error {
    skipBlanks();
    if (pos >= text.length() || depth <= 0) {
      throw new Error("unparsable conditional expression '" + text.substring(Math.min(pos, text.length())) + "'");
    }
    boolean neg = false;
    while (pos < text.length() && text.charAt(pos) == '!') {
      neg = !neg;
      pos++;
      skipBlanks();
    }
    Long num = number();
    if (num != null) {
      return (num != 0) != neg;
    }
    if (pos < text.length() && text.charAt(pos) == '(') {
      pos++;
      skipBlanks();
      boolean v = expr(depth - 1);
      skipBlanks();
      if (pos >= text.length() || text.charAt(pos) != ')') {
        throw new Error("expected ')' after conditional expression '" + text + "'");
      }
      pos++;
      skipBlanks();
      return v != neg;
    }
    int end = pos;
    while (end < text.length() && text.charAt(end) != ' ' && text.charAt(end) != '(') {
      end++;
    }
    String word = text.substring(pos, end);
    int arity;
    switch (word) {
      case "defined":
      case "feature":
      case "version_atleast":
      case "version_before":
      case "openssl_version_atleast":
      case "openssl_version_before":
      case "ssllib_name_startswith":
        arity = 1;
        break;
      case "streq":
      case "strneq":
        arity = 2;
        break;
      default:
        throw new Error("unparsable conditional expression '" + text.substring(pos) + "'");
    }
    pos = end;
    List<String> args = arguments(word, arity);
    return evalPredicate(word, args) != neg;
  }

  /** {@code strtol(s, &end, 0)}: decimal, {@code 0x} hex or leading-0 octal, with an optional sign. */
  private Long number() {
    int p = pos;
    boolean negative = false;
    if (p < text.length() && (text.charAt(p) == '+' || text.charAt(p) == '-')) {
      negative = text.charAt(p) == '-';
      p++;
    }
    int radix = 10;
    if (text.startsWith("0x", p) || text.startsWith("0X", p)) {
      if (p + 2 < text.length() && Character.digit(text.charAt(p + 2), 16) >= 0 && text.charAt(p + 2) < 0x80) {
        radix = 16;
        p += 2;
      }
    } else if (text.startsWith("0", p)) {
      radix = 8;
    }
    int start = p;
    while (p < text.length() && text.charAt(p) < 0x80 && Character.digit(text.charAt(p), radix) >= 0) {
      p++;
    }
    if (p == start) {
      return null;
    }
    long v = 0;
    for (int i = start; i < p && v < Long.MAX_VALUE / 16; i++) {
      v = v * radix + Character.digit(text.charAt(i), radix);
    }
    pos = p;
    return negative ? -v : v;
  }

  /** {@code make_arg_list}: {@code (a,b)} with quotes and backslash escapes inside; missing ones are empty. */
  private List<String> arguments(String pred, int arity) throws Error {
    List<String> args = new ArrayList<>();
    if (pos >= text.length() || text.charAt(pos) != '(') {
      throw new Error("missing arguments (got 0/" + arity + ") in argument 1 of predicate '" + pred
          + "' used in conditional expression");
    }
    pos++;
    StringBuilder cur = new StringBuilder();
    boolean sq = false;
    boolean dq = false;
    while (true) {
      if (pos >= text.length()) {
        throw new Error("expected ')' before end of string in argument " + (args.size() + 1) + " of predicate '"
            + pred + "' used in conditional expression");
      }
      char c = text.charAt(pos);
      if (c == '"' && !sq) {
        dq = !dq;
        pos++;
      } else if (c == '\'' && !dq) {
        sq = !sq;
        pos++;
      } else if (c == '\\' && !sq && pos + 1 < text.length()) {
        char n = text.charAt(pos + 1);
        if (n == '\\' || n == ' ' || n == '"' || n == '\'') {
          cur.append(n);
          pos += 2;
        } else if (n == 'r' || n == 'n' || n == 't') {
          cur.append(n == 'r' ? '\r' : n == 'n' ? '\n' : '\t');
          pos += 2;
        } else {
          cur.append(c);
          pos++;
        }
      } else if (!sq && !dq && (c == ',' || c == ')')) {
        args.add(cur.toString());
        cur.setLength(0);
        pos++;
        if (c == ')') {
          break;
        }
        if (args.size() == arity) {
          throw new Error("end of arguments expected at position " + (args.size() + 1) + ", but got ','"
              + " in argument " + (args.size() + 1) + " of predicate '" + pred + "' used in conditional expression");
        }
      } else {
        cur.append(c);
        pos++;
      }
    }
    if (args.size() < arity) {
      throw new Error("missing arguments (got " + args.size() + "/" + arity + ") in argument " + (args.size() + 1)
          + " of predicate '" + pred + "' used in conditional expression");
    }
    return args;
  }

  private boolean evalPredicate(String pred, List<String> a) throws Error {
    switch (pred) {
      case "defined":
        return env.apply(a.get(0)) != null;
      case "feature":
        return build.hasFeature(a.get(0));
      case "streq":
        return a.get(0).equals(a.get(1));
      case "strneq":
        return !a.get(0).equals(a.get(1));
      case "version_atleast":
      case "version_before": {
        Integer c = build.compareVersion(a.get(0));
        if (c == null) {
          return false;
        }
        return pred.equals("version_atleast") ? c >= 0 : c < 0;
      }
      case "openssl_version_atleast":
      case "openssl_version_before": {
        Integer c = build.compareSslVersion(a.get(0));
        if (c == null) {
          throw new Error("cannot compare the TLS library's version with '" + a.get(0) + "'");
        }
        return pred.equals("openssl_version_atleast") ? c >= 0 : c < 0;
      }
      default:
        return !build.sslLibrary().isEmpty() && build.sslLibrary().startsWith(a.get(0));
    }
  }
}
