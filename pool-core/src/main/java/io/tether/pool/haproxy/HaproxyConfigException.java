package io.tether.pool.haproxy;

/**
 * A {@code haproxy.cfg} could not give what was asked: a section is missing, a timeout is not set, or a
 * value does not parse. The message starts with {@code file:line} and names the section.
 *
 * @serial exclude
 */
public final class HaproxyConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line;

  /**
   * A problem at {@code line} of {@code file}.
   *
   * @param file the file
   * @param line the line, or 0 for the file as a whole
   * @param message the message
   */
  public HaproxyConfigException(String file, int line, String message) {
    super(file + (line > 0 ? ":" + line : "") + ": " + message);
    this.file = file;
    this.line = line;
  }

  /** {@return the configuration file} */
  public String file() {
    return file;
  }

  /** {@return the line the problem is on, or 0 when it is about the file as a whole} */
  public int line() {
    return line;
  }
}
