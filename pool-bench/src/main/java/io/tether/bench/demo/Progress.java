package io.tether.bench.demo;

import java.io.PrintStream;

/**
 * One status line per step: rewritten in place on a terminal, printed once finished otherwise (a CI
 * log gets each step's outcome, not a hundred updates).
 */
final class Progress {
  private final PrintStream out;
  private final boolean terminal = System.console() != null;
  private String current = "";

  Progress(PrintStream out) {
    this.out = out;
  }

  void update(String line) {
    current = line;
    if (terminal) {
      out.print("\r\033[K" + line);
      out.flush();
    }
  }

  void done(String line) {
    if (terminal) {
      out.print("\r\033[K");
    }
    out.println(line);
    current = "";
  }

  String current() {
    return current;
  }
}
