package io.tether.bench.report;

import java.util.ArrayList;
import java.util.List;

/** A Markdown table that also reads well in a terminal: columns padded to their widest cell. */
public final class Table {
  private final List<String[]> rows = new ArrayList<>();
  private final int columns;

  public Table(String... header) {
    this.columns = header.length;
    rows.add(header);
  }

  public Table row(Object... cells) {
    if (cells.length != columns) {
      throw new IllegalArgumentException(cells.length + " cells for " + columns + " columns");
    }
    String[] r = new String[columns];
    for (int i = 0; i < columns; i++) {
      r[i] = String.valueOf(cells[i]);
    }
    rows.add(r);
    return this;
  }

  @Override
  public String toString() {
    int[] width = new int[columns];
    for (String[] r : rows) {
      for (int i = 0; i < columns; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < rows.size(); k++) {
      line(sb, rows.get(k), width);
      if (k == 0) {
        String[] dashes = new String[columns];
        for (int i = 0; i < columns; i++) {
          dashes[i] = "-".repeat(Math.max(3, width[i]));
        }
        line(sb, dashes, width);
      }
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, String[] cells, int[] width) {
    sb.append('|');
    for (int i = 0; i < cells.length; i++) {
      sb.append(' ').append(cells[i]).append(" ".repeat(width[i] - cells[i].length())).append(" |");
    }
    sb.append('\n');
  }
}
