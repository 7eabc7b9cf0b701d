package io.tether.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns JMH's CSV results ({@code -rf csv}) into the Markdown tables of docs/benchmarks.md: one row per
 * benchmark and parameter set, with the score, its error, the secondary results asked for
 * (allocation, CPU, wake-ups), and the ratio to a reference row (Tether's, by default).
 *
 * <p>Usage: {@code JmhTables results.csv [reference-param-value]}
 */
public final class JmhTables {
  private JmhTables() {}

  /** One CSV row: benchmark name, score, error, unit, parameters, threads. */
  record Row(String benchmark, String secondary, int threads, double score, double error, String unit,
      Map<String, String> params) {}

  public static void main(String[] args) throws IOException {
    List<Row> rows = parse(Files.readAllLines(Path.of(args[0])));
    String reference = args.length > 1 ? args[1] : "tether-core";
    System.out.print(render(rows, reference));
  }

  static List<Row> parse(List<String> lines) {
    List<String> header = split(lines.get(0));
    List<Row> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      List<String> cells = split(line);
      String name = cells.get(header.indexOf("Benchmark"));
      String secondary = "";
      int colon = name.indexOf(':');
      if (colon >= 0) {
        secondary = name.substring(colon + 1);
        name = name.substring(0, colon);
      }
      Map<String, String> params = new LinkedHashMap<>();
      for (int i = 0; i < header.size(); i++) {
        if (header.get(i).startsWith("Param: ")) {
          params.put(header.get(i).substring(7), cells.get(i));
        }
      }
      rows.add(new Row(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1), secondary,
          Integer.parseInt(cells.get(header.indexOf("Threads"))), number(cells.get(header.indexOf("Score"))),
          number(cells.get(header.indexOf("Score Error (99.9%)"))), cells.get(header.indexOf("Unit")), params));
    }
    return rows;
  }

  static String render(List<Row> rows, String reference) {
    List<String> secondaries = new ArrayList<>();
    for (Row r : rows) {
      if (!r.secondary().isEmpty() && wanted(r.secondary()) && !secondaries.contains(r.secondary())) {
        secondaries.add(r.secondary());
      }
    }
    List<String> header = new ArrayList<>(List.of("benchmark", "threads", "params", "score", "error", "unit"));
    secondaries.forEach(header::add);
    header.add("x " + reference);
    Table t = new Table(header.toArray(new String[0]));
    for (Row r : rows) {
      if (!r.secondary().isEmpty()) {
        continue;
      }
      List<Object> cells = new ArrayList<>(List.of(r.benchmark(), r.threads(), params(r.params()),
          fmt(r.score()), fmt(r.error()), r.unit()));
      for (String s : secondaries) {
        cells.add(rows.stream().filter(x -> x.secondary().equals(s) && same(x, r)).map(x -> fmt(x.score()))
            .findFirst().orElse(""));
      }
      Row ref = rows.stream().filter(x -> x.secondary().isEmpty() && x.benchmark().equals(r.benchmark())
          && x.threads() == r.threads() && x.params().containsValue(reference) && sameExcept(x, r, reference))
          .findFirst().orElse(null);
      cells.add(ref == null ? "" : String.format(Locale.ROOT, "%.2f", r.score() / ref.score()));
      t.row(cells.toArray());
    }
    return t.toString();
  }

  private static boolean wanted(String secondary) {
    return secondary.equals("gc.alloc.rate.norm") || secondary.equals("cpu.ns/op") || secondary.equals("wakeups/op");
  }

  private static boolean same(Row a, Row b) {
    return a.benchmark().equals(b.benchmark()) && a.threads() == b.threads() && a.params().equals(b.params());
  }

  /** Same parameters, except the one whose value is {@code reference} (the implementation compared). */
  private static boolean sameExcept(Row ref, Row r, String reference) {
    for (Map.Entry<String, String> e : r.params().entrySet()) {
      String other = ref.params().get(e.getKey());
      if (!e.getValue().equals(other) && !reference.equals(other)) {
        return false;
      }
    }
    return true;
  }

  private static String params(Map<String, String> params) {
    StringBuilder sb = new StringBuilder();
    params.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v));
    return sb.toString();
  }

  private static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "";
    }
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static double number(String s) {
    try {
      return Double.parseDouble(s.replace(",", "."));
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** Splits one CSV line as JMH writes it: fields in double quotes or bare numbers. */
  static List<String> split(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }
}
