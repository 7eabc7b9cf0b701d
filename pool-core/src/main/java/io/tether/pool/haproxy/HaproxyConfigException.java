package io.tether.pool.haproxy;

/**
 * A {@code haproxy.cfg} could not be read as HAProxy reads it, or could not give what was asked. The
 * message starts with {@code file:line}, quotes the line as written, says what is wrong and what was
 * expected: {@code haproxy.cfg:12: 'timeout client 5x': unexpected character 'x' (expected: a time such
 * as 500ms, 10s, 9m)}.
 *
 * @serial exclude
 */
public final class HaproxyConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line;
  private final String text;
  private final String expected;

  /**
   * A problem at {@code line} of {@code file}.
   *
   * @param file the file
   * @param line the line, or 0 for the file as a whole
   * @param text the line as written (or the directive read back), or empty
   * @param problem what is wrong
   * @param expected what would have been right, or empty
   */
  public HaproxyConfigException(String file, int line, String text, String problem, String expected) {
    super(file + (line > 0 ? ":" + line : "") + ": " + (text.isEmpty() ? "" : "'" + text + "': ") + problem
        + (expected.isEmpty() ? "" : " (expected: " + expected + ")"));
    this.file = file;
    this.line = line;
    this.text = text;
    this.expected = expected;
  }

  /**
   * A problem with the file as a whole, or with a request about it.
   *
   * @param file the file
   * @param line the line, or 0
   * @param problem what is wrong
   */
  public HaproxyConfigException(String file, int line, String problem) {
    this(file, line, "", problem, "");
  }

  /** {@return the configuration file} */
  public String file() {
    return file;
  }

  /** {@return the line the problem is on, or 0 when it is about the file as a whole} */
  public int line() {
    return line;
  }

  /** {@return the line as written, or empty} */
  public String text() {
    return text;
  }

  /** {@return what would have been right, or empty} */
  public String expected() {
    return expected;
  }
}
