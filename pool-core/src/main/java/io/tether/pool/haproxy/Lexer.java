package io.tether.pool.haproxy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Splits one haproxy.cfg line into words as HAProxy does: quotes, backslash escapes, comments, ${VAR}. */
final class Lexer {
  private Lexer() {}

  static List<String> words(String line, String file, int n, Function<String, String> env) {
    List<String> out = new ArrayList<>();
    StringBuilder w = null;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote == 0 && (c == ' ' || c == '\t')) {
        if (w != null) {
          out.add(w.toString());
          w = null;
        }
        continue;
      }
      if (quote == 0 && c == '#') {
        break;
      }
      if (w == null) {
        w = new StringBuilder();
      }
      if (c == '\\' && i + 1 < line.length() && quote != '\'') {
        w.append(line.charAt(++i));
      } else if (quote == 0 && (c == '"' || c == '\'')) {
        quote = c;
      } else if (quote != 0 && c == quote) {
        quote = 0;
      } else if (c == '$' && quote != '\'' && i + 1 < line.length() && line.charAt(i + 1) == '{') {
        int end = line.indexOf('}', i);
        if (end < 0) {
          throw new HaproxyConfigException(file, n, "unterminated ${ in: " + line.trim());
        }
        String value = env.apply(line.substring(i + 2, end));
        w.append(value == null ? "" : value);
        i = end;
      } else {
        w.append(c);
      }
    }
    if (quote != 0) {
      throw new HaproxyConfigException(file, n, "unterminated quote in: " + line.trim());
    }
    if (w != null) {
      out.add(w.toString());
    }
    return out;
  }
}
