package io.tether.pool.haproxy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Splits one configuration line into words exactly as HAProxy 2.6's {@code parse_line()} does with the
 * options {@code readcfgfile()} passes (environment, double and single quotes, backslash, {@code #}
 * comments, {@code [*]} word expansion). The line is bytes, each held here as one char 0-255.
 *
 * <ul>
 *   <li>Words are separated by unquoted blanks (space, tab, vertical tab, form feed); {@code #} outside
 *       quotes starts a comment; a NUL, CR or LF ends the line.
 *   <li>Double quotes group and allow {@code $VAR}, {@code ${VAR}}, {@code ${VAR-default}} and {@code
 *       ${VAR[*]}} (one word per space-separated part of the value); an unset variable expands to
 *       nothing. Outside double quotes {@code $} is an ordinary character. Single quotes group and keep
 *       everything literally, backslashes included.
 *   <li>Outside single quotes a backslash escapes a blank, {@code \}, {@code #}, {@code '}, {@code "},
 *       {@code $} (inside double quotes), and writes {@code \t \n \r \xHH}; before anything else it is kept.
 * </ul>
 */
final class LineParser {
  /** HAProxy 2.6's MAX_LINE_ARGS. */
  static final int MAX_ARGS = 64;

  /** Words, or the error HAProxy reports and the 0-based position it points at. */
  record Result(List<String> words, String error, int errorAt) {}

  private LineParser() {}

  static boolean blank(char c) {
    return c == ' ' || c == '\t' || c == 0x0b || c == '\f';
  }

  private static boolean alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean alnum(char c) {
    return alpha(c) || (c >= '0' && c <= '9');
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /**
   * @param in the line (bytes as chars 0-255), leading blanks already skipped by the caller
   * @param env resolves environment variables (null when unset); {@code .LINE}, {@code .FILE} and {@code
   *     .SECTION} are passed to it too, with their leading dot
   */
  static Result parse(String in, Function<String, String> env) {
    List<String> args = new ArrayList<>();
    StringBuilder out = new StringBuilder();
    boolean squote = false;
    boolean dquote = false;
    int quoteAt = -1;
    int i = 0;
    int n = in.length();
    while (true) {
      char c = i < n ? in.charAt(i) : '\0';
      if (c == '\0' || c == '\n' || c == '\r') {
        break;
      } else if (c == '#' && !squote && !dquote) {
        break;
      } else if (c == '"' && !squote) {
        dquote = !dquote;
        quoteAt = dquote ? i : -1;
        i++;
      } else if (c == '\'' && !dquote) {
        squote = !squote;
        quoteAt = squote ? i : -1;
        i++;
      } else if (c == '\\' && !squote) {
        char next = i + 1 < n ? in.charAt(i + 1) : '\0';
        char send = c;
        switch (next) {
          case ' ':
          case '\\':
            send = next;
            i++;
            break;
          case 't':
            send = '\t';
            i++;
            break;
          case 'n':
            send = '\n';
            i++;
            break;
          case 'r':
            send = '\r';
            i++;
            break;
          case '#':
          case '\'':
          case '"':
            send = next;
            i++;
            break;
          case '$':
            if (dquote) {
              send = '$';
              i++;
            }
            break;
          case 'x': {
            int h1 = i + 2 < n ? hex(in.charAt(i + 2)) : -1;
            int h2 = i + 3 < n ? hex(in.charAt(i + 3)) : -1;
            if (h1 < 0 || h2 < 0) {
              return new Result(null, "truncated or invalid hexadecimal sequence", i);
            }
            send = (char) (h1 * 16 + h2);
            i += 3;
            break;
          }
          default:
            break;
        }
        i++;
        out.append(send);
      } else if (blank(c) && !squote && !dquote) {
        while (i < n && blank(in.charAt(i))) {
          i++;
        }
        args.add(out.toString());
        out.setLength(0);
      } else if (c == '$' && dquote) {
        i++;
        int brace = -1;
        if (i < n && in.charAt(i) == '{') {
          brace = i++;
        }
        char first = i < n ? in.charAt(i) : '\0';
        if (!alpha(first) && first != '_' && first != '.') {
          return new Result(null, "forbidden first char in environment variable name", i);
        }
        int nameStart = i;
        if (first == '.') {
          i++;
        }
        while (i < n && (alnum(in.charAt(i)) || in.charAt(i) == '_')) {
          i++;
        }
        String name = in.substring(nameStart, i);
        if (name.startsWith(".") && !name.equals(".LINE") && !name.equals(".FILE") && !name.equals(".SECTION")) {
          return new Result(null, "forbidden first char in environment variable name", nameStart);
        }
        String value = env.apply(name);
        boolean wordExpand = false;
        if (brace >= 0 && i < n && in.charAt(i) == '[') {
          if (i + 2 >= n || in.charAt(i + 1) != '*' || in.charAt(i + 2) != ']') {
            return new Result(null, "truncated or invalid word expansion sequence", i);
          }
          wordExpand = true;
          i += 3;
        }
        if (brace >= 0) {
          if (i < n && in.charAt(i) == '-') {
            int end = in.indexOf('}', i);
            if (end < 0) {
              return new Result(null, "unmatched brace in environment variable name", brace);
            }
            if (value == null) {
              value = in.substring(i + 1, end);
            }
            i = end;
          } else if (i >= n || in.charAt(i) != '}') {
            return new Result(null, "unmatched brace in environment variable name", brace);
          }
          i++;
        }
        if (value != null) {
          for (int k = 0; k < value.length(); k++) {
            char v = value.charAt(k);
            if (wordExpand && Character.isWhitespace(v) && v < 0x80) {
              args.add(out.toString());
              out.setLength(0);
              while (k + 1 < value.length() && value.charAt(k + 1) < 0x80 && Character.isWhitespace(value.charAt(k + 1))) {
                k++;
              }
            } else {
              out.append(v);
            }
          }
        }
      } else {
        out.append(c);
        i++;
      }
    }
    args.add(out.toString());
    if (quoteAt >= 0) {
      return new Result(null, "unmatched quote", quoteAt);
    }
    if (args.size() > MAX_ARGS) {
      return new Result(null, "too many words, truncating after word " + MAX_ARGS, 0);
    }
    return new Result(args, null, -1);
  }
}
