package io.tether.pool.haproxy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A section of a {@code haproxy.cfg}: its type, its name, the line of its header, and its directives in
 * file order (those inside a false {@code .if} block left out).
 */
public final class Section {

  /** Every section type HAProxy 2.6 knows; any other word starting a line belongs to the section before. */
  public enum Kind {
    /** {@code global}. */
    GLOBAL("global"),
    /** {@code defaults [name] [from <defaults>]}. */
    DEFAULTS("defaults"),
    /** {@code frontend <name> [from <defaults>]}. */
    FRONTEND("frontend"),
    /** {@code backend <name> [from <defaults>]}. */
    BACKEND("backend"),
    /** {@code listen <name> [from <defaults>]}: a frontend and a backend in one. */
    LISTEN("listen"),
    /** {@code peers <name>}. */
    PEERS("peers"),
    /** {@code resolvers <name>}. */
    RESOLVERS("resolvers"),
    /** {@code userlist <name>}. */
    USERLIST("userlist"),
    /** {@code mailers <name>}. */
    MAILERS("mailers"),
    /** {@code program <name>}. */
    PROGRAM("program"),
    /** {@code http-errors <name>}. */
    HTTP_ERRORS("http-errors"),
    /** {@code ring <name>}. */
    RING("ring"),
    /** {@code cache <name>}. */
    CACHE("cache"),
    /** {@code fcgi-app <name>}. */
    FCGI_APP("fcgi-app"),
    /** {@code log-forward <name>}. */
    LOG_FORWARD("log-forward"),
    /** {@code namespace_list}. */
    NAMESPACE_LIST("namespace_list");

    private final String keyword;

    Kind(String keyword) {
      this.keyword = keyword;
    }

    /** {@return the word that starts such a section} */
    public String keyword() {
      return keyword;
    }

    /** {@return the kind {@code word} starts, or null if it starts none} */
    static Kind of(String word) {
      for (Kind k : values()) {
        if (k.keyword.equals(word)) {
          return k;
        }
      }
      return null;
    }

    boolean isProxy() {
      return this == FRONTEND || this == BACKEND || this == LISTEN;
    }
  }

  private final Kind kind;
  private final String name;
  private final int line;
  private final String from;
  final List<Directive> directives = new ArrayList<>();

  Section(Kind kind, String name, int line, String from) {
    this.kind = kind;
    this.name = name;
    this.line = line;
    this.from = from;
  }

  /** {@return the section type} */
  public Kind kind() {
    return kind;
  }

  /** {@return the section's name; empty for an unnamed {@code defaults} or {@code global}} */
  public String name() {
    return name;
  }

  /** {@return the line its header is on} */
  public int line() {
    return line;
  }

  /** {@return the defaults section named by {@code from}, or null} */
  public String from() {
    return from;
  }

  /** {@return its directives, in file order} */
  public List<Directive> directives() {
    return Collections.unmodifiableList(directives);
  }

  /** {@return {@code "frontend api"}, {@code "defaults"}, as messages name it} */
  public String title() {
    return kind.keyword() + (name.isEmpty() ? "" : " " + name);
  }

  @Override
  public String toString() {
    return title() + " (line " + line + ")";
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
