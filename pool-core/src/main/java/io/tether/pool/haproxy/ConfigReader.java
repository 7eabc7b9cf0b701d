package io.tether.pool.haproxy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Turns the bytes of a {@code haproxy.cfg} into sections of directives as HAProxy 2.6's {@code
 * readcfgfile()} does: lines end at LF (the last one must too); leading blanks are skipped; {@code [scope]}
 * lines are ignored; {@code .if/.elif/.else/.endif} keep or drop blocks (nested); {@code .diag}, {@code
 * .notice} and {@code .warning} are reported, {@code .alert} fails; a line whose first word is empty
 * (after expansion) is empty; {@code no} and {@code default} prefixes are set apart; a registered section
 * word starts a section, anything else belongs to the current one, and before any section is an error.
 */
final class ConfigReader {
  private enum Cond {
    IF_TAKE,
    IF_DROP,
    IF_SKIP,
    ELIF_TAKE,
    ELIF_DROP,
    ELIF_SKIP,
    ELSE_TAKE,
    ELSE_DROP
  }

  private final String file;
  private final Function<String, String> env;
  private final HaproxyBuild build;
  final List<Section> sections = new ArrayList<>();
  final List<String> warnings = new ArrayList<>();
  private final List<Cond> conds = new ArrayList<>();
  private Section current;
  private int lineNo;

  ConfigReader(String file, Function<String, String> env, HaproxyBuild build) {
    this.file = file;
    this.env = env;
    this.build = build;
  }

  HaproxyConfigException error(int line, String text, String problem, String expected) {
    return new HaproxyConfigException(file, line, text, problem, expected);
  }

  void warn(int line, String message) {
    warnings.add(file + ":" + line + ": " + message);
  }

  void read(byte[] bytes) {
    // ISO-8859-1 maps each byte to one char 0-255 and back: HAProxy reads bytes, not characters.
    String all = new String(bytes, StandardCharsets.ISO_8859_1);
    int start = 0;
    while (start < all.length()) {
      int nl = all.indexOf('\n', start);
      lineNo++;
      String raw = nl < 0 ? all.substring(start) : all.substring(start, nl);
      if (raw.indexOf('\0') >= 0) {
        throw error(lineNo, printable(raw), "stray NUL character at position " + (raw.indexOf('\0') + 1), "");
      }
      if (nl < 0) {
        throw error(lineNo, printable(raw), "missing LF on last line, file might have been truncated",
            "every line, the last one included, ending with a line feed");
      }
      line(raw);
      start = nl + 1;
    }
    if (!conds.isEmpty()) {
      throw error(lineNo, "", "non-terminated '.if' block", ".endif");
    }
  }

  private static String printable(String raw) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < raw.length() && sb.length() < 200; i++) {
      char c = raw.charAt(i);
      sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02X", (int) c));
    }
    return sb.toString().trim();
  }

  private String pseudo(String name) {
    switch (name) {
      case ".LINE":
        return Integer.toString(lineNo);
      case ".FILE":
        return file;
      case ".SECTION":
        return current == null ? null : current.name().isEmpty() ? current.kind().keyword() : current.name();
      default:
        return env.apply(name);
    }
  }

  private boolean masked() {
    if (conds.isEmpty()) {
      return false;
    }
    Cond c = conds.get(conds.size() - 1);
    return c != Cond.IF_TAKE && c != Cond.ELIF_TAKE && c != Cond.ELSE_TAKE;
  }

  private void line(String raw) {
    int b = 0;
    while (b < raw.length() && (LineParser.blank(raw.charAt(b)) || raw.charAt(b) == '\r')) {
      b++;
    }
    String line = raw.substring(b);
    String shown = printable(line);
    if (line.startsWith("[")) {
      return; // a scope, for diagnostics only
    }
    LineParser.Result r = LineParser.parse(line, this::pseudo);
    if (r.error() != null) {
      throw error(lineNo, shown, r.error() + " at position " + (r.errorAt() + b + 1), "");
    }
    List<String> args = r.words();
    if (args.get(0).isEmpty()) {
      return;
    }
    String kw = args.get(0);
    if (kw.startsWith(".")) {
      if (conditional(kw, args, shown)) {
        return;
      }
    }
    if (masked()) {
      return;
    }
    if (kw.startsWith(".")) {
      String msg = args.size() > 1 ? args.get(1) : "";
      if (args.size() > 2 && !args.get(2).isEmpty()) {
        throw error(lineNo, shown, "unexpected argument '" + args.get(2) + "' for '" + kw + "'",
            "one argument: quote the message if it has spaces");
      }
      switch (kw) {
        case ".alert":
          throw error(lineNo, shown, "'.alert' stops the configuration: " + msg, "");
        case ".warning":
          warn(lineNo, ".warning: " + msg);
          return;
        case ".notice":
        case ".diag":
          warn(lineNo, kw + ": " + msg);
          return;
        default:
          throw error(lineNo, shown, "unknown directive '" + kw + "'",
              ".if, .elif, .else, .endif, .diag, .notice, .warning or .alert");
      }
    }
    String modifier = "";
    List<String> words = truncate(args);
    if (kw.equals("no") || kw.equals("default")) {
      modifier = kw;
      words = words.subList(1, words.size());
      if (words.isEmpty()) {
        throw error(lineNo, shown, "'" + kw + "' alone", "'" + kw + " option <name>'");
      }
      String w = words.get(0);
      if (!List.of("option", "log", "busy-polling", "set-dumpable", "strict-limits", "insecure-fork-wanted",
          "numa-cpu-mapping").contains(w)) {
        throw error(lineNo, shown, "negation/default is only supported for options, log, busy-polling, "
            + "set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping", "");
      }
    }
    Section.Kind kind = modifier.isEmpty() ? Section.Kind.of(words.get(0)) : null;
    if (kind != null) {
      current = header(kind, words, shown);
      sections.add(current);
      return;
    }
    if (current == null) {
      throw error(lineNo, shown, "unknown keyword '" + words.get(0) + "' out of section",
          "a section first: global, defaults, frontend, backend, listen...");
    }
    current.directives.add(new Directive(words, lineNo, modifier));
  }

  /** HAProxy's keyword parsers stop at the first empty word; so do we. */
  private static List<String> truncate(List<String> args) {
    for (int i = 1; i < args.size(); i++) {
      if (args.get(i).isEmpty()) {
        return new ArrayList<>(args.subList(0, i));
      }
    }
    return new ArrayList<>(args);
  }

  /** Handles {@code .if} and friends; false if {@code kw} is not one of them. */
  private boolean conditional(String kw, List<String> args, String shown) {
    switch (kw) {
      case ".if":
      case ".elif": {
        String expr = String.join(" ", args.subList(1, args.size())).replaceAll(" +$", "");
        if (kw.equals(".if")) {
          if (conds.size() + 1 >= 10) {
            throw error(lineNo, shown, "too many nested '.if', max is 10", "");
          }
          if (masked()) {
            conds.add(Cond.IF_SKIP);
            return true;
          }
          conds.add(evaluate(expr, shown) ? Cond.IF_TAKE : Cond.IF_DROP);
          return true;
        }
        if (conds.isEmpty()) {
          throw error(lineNo, shown, "lone '.elif' with no matching '.if'", "");
        }
        Cond top = conds.get(conds.size() - 1);
        if (top == Cond.ELSE_TAKE || top == Cond.ELSE_DROP) {
          throw error(lineNo, shown, "'.elif' after '.else' is not permitted", "");
        }
        if (top == Cond.IF_TAKE || top == Cond.IF_SKIP || top == Cond.ELIF_TAKE || top == Cond.ELIF_SKIP) {
          conds.set(conds.size() - 1, Cond.ELIF_SKIP);
          return true;
        }
        conds.set(conds.size() - 1, evaluate(expr, shown) ? Cond.ELIF_TAKE : Cond.ELIF_DROP);
        return true;
      }
      case ".else":
      case ".endif": {
        if (args.size() > 1 && !args.get(1).isEmpty()) {
          throw error(lineNo, shown, "unexpected argument '" + args.get(1) + "' for '" + kw + "'", "");
        }
        if (conds.isEmpty()) {
          throw error(lineNo, shown, "lone '" + kw + "' with no matching '.if'", "");
        }
        Cond top = conds.get(conds.size() - 1);
        if (kw.equals(".endif")) {
          conds.remove(conds.size() - 1);
          return true;
        }
        if (top == Cond.ELSE_TAKE || top == Cond.ELSE_DROP) {
          throw error(lineNo, shown, "'.else' after '.else' is not permitted", "");
        }
        boolean taken = top == Cond.IF_TAKE || top == Cond.IF_SKIP || top == Cond.ELIF_TAKE || top == Cond.ELIF_SKIP;
        conds.set(conds.size() - 1, taken ? Cond.ELSE_DROP : Cond.ELSE_TAKE);
        return true;
      }
      default:
        return false;
    }
  }

  private boolean evaluate(String expr, String shown) {
    try {
      return Conditions.eval(expr, this::pseudo, build);
    } catch (Conditions.Error e) {
      throw error(lineNo, shown, e.getMessage(),
          "defined(), feature(), streq(), strneq(), version_atleast(), version_before(), "
              + "openssl_version_atleast(), openssl_version_before(), ssllib_name_startswith(), "
              + "numbers, !, &&, || and parentheses");
    }
  }

  private static boolean validName(String n) {
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
          || c == ':' || c == '_' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private Section header(Section.Kind kind, List<String> w, String shown) {
    String name = "";
    String from = null;
    if (kind.isProxy()) {
      if (w.size() < 2) {
        throw error(lineNo, shown, "'" + kind.keyword() + "' expects an <id> argument", kind.keyword() + " <name>");
      }
      name = w.get(1);
      if (!validName(name)) {
        throw error(lineNo, shown, "a character of '" + name + "' is not permitted in a " + kind.keyword() + " name",
            "letters, digits, '.', ':', '_' and '-'");
      }
      if (w.size() > 2) {
        if (w.size() != 4 || !w.get(2).equals("from")) {
          throw error(lineNo, shown, "unexpected words after the name",
              kind.keyword() + " <name> [from <defaults>]" + (kind == Section.Kind.BACKEND ? "" : "; addresses go on a 'bind' line"));
        }
        from = w.get(3);
      }
    } else if (kind == Section.Kind.DEFAULTS) {
      if (w.size() == 3 && w.get(1).equals("from")) {
        from = w.get(2);
      } else {
        if (w.size() > 1) {
          name = w.get(1);
          if (!validName(name)) {
            throw error(lineNo, shown, "a character of '" + name + "' is not permitted in a defaults name",
                "letters, digits, '.', ':', '_' and '-'");
          }
        }
        if (w.size() > 2) {
          if (w.size() != 4 || !w.get(2).equals("from")) {
            throw error(lineNo, shown, "unexpected words after the name", "defaults [<name>] [from <defaults>]");
          }
          from = w.get(3);
        }
      }
    } else if (w.size() > 1) {
      name = w.get(1);
    }
    return new Section(kind, name, lineNo, from);
  }
}
