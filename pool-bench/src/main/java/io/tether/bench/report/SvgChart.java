package io.tether.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Small SVG charts the benchmarks draw of their own results, so the pictures in docs/benchmarks.md
 * come from the same run as the tables: line charts (series of x, y points) and grouped bar charts.
 * No dependencies; the output is plain SVG 1.1 that browsers and GitHub render.
 */
public final class SvgChart {
  private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
  private static final int W = 760;
  private static final int H = 360;
  private static final int LEFT = 70;
  private static final int RIGHT = 180;
  private static final int TOP = 40;
  private static final int BOTTOM = 50;

  /** One named series of points. */
  public record Series(String name, double[] x, double[] y) {}

  /** Optional vertical markers, such as "backend dropped". */
  public record Marker(double x, String label) {}

  private SvgChart() {}

  public static void line(Path file, String title, String xLabel, String yLabel, List<Series> series,
      List<Marker> markers) throws IOException {
    double minX = Double.MAX_VALUE;
    double maxX = -Double.MAX_VALUE;
    double maxY = 0;
    for (Series s : series) {
      for (int i = 0; i < s.x.length; i++) {
        minX = Math.min(minX, s.x[i]);
        maxX = Math.max(maxX, s.x[i]);
        maxY = Math.max(maxY, s.y[i]);
      }
    }
    if (minX == maxX) {
      maxX = minX + 1;
    }
    maxY = niceCeil(maxY);
    StringBuilder sb = start(title);
    axes(sb, xLabel, yLabel, minX, maxX, maxY);
    int k = 0;
    for (Series s : series) {
      String color = COLORS[k % COLORS.length];
      StringBuilder pts = new StringBuilder();
      for (int i = 0; i < s.x.length; i++) {
        pts.append(fmt(px(s.x[i], minX, maxX))).append(',').append(fmt(py(s.y[i], maxY))).append(' ');
      }
      sb.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"1.6\" points=\"")
          .append(pts.toString().trim()).append("\"/>\n");
      legend(sb, k, color, s.name);
      k++;
    }
    for (Marker m : markers) {
      double x = px(m.x, minX, maxX);
      sb.append("<line x1=\"").append(fmt(x)).append("\" y1=\"").append(TOP).append("\" x2=\"").append(fmt(x))
          .append("\" y2=\"").append(H - BOTTOM).append("\" stroke=\"#555\" stroke-dasharray=\"4,3\"/>\n");
      sb.append("<text x=\"").append(fmt(x + 3)).append("\" y=\"").append(TOP + 12)
          .append("\" font-size=\"11\" fill=\"#333\">").append(esc(m.label)).append("</text>\n");
    }
    write(file, sb);
  }

  /** Bars grouped by category ({@code categories}), one bar per series in each group. */
  public static void bars(Path file, String title, String xLabel, String yLabel, String[] categories,
      List<String> seriesNames, double[][] values) throws IOException {
    double maxY = 0;
    for (double[] row : values) {
      for (double v : row) {
        maxY = Math.max(maxY, v);
      }
    }
    maxY = niceCeil(Math.max(maxY, 1));
    StringBuilder sb = start(title);
    axes(sb, xLabel, yLabel, Double.NaN, Double.NaN, maxY);
    double groupWidth = (double) (W - LEFT - RIGHT) / categories.length;
    double barWidth = groupWidth * 0.8 / seriesNames.size();
    for (int c = 0; c < categories.length; c++) {
      double gx = LEFT + c * groupWidth + groupWidth * 0.1;
      for (int s = 0; s < seriesNames.size(); s++) {
        double v = values[s][c];
        double y = py(v, maxY);
        sb.append("<rect x=\"").append(fmt(gx + s * barWidth)).append("\" y=\"").append(fmt(y))
            .append("\" width=\"").append(fmt(barWidth - 1)).append("\" height=\"").append(fmt(H - BOTTOM - y))
            .append("\" fill=\"").append(COLORS[s % COLORS.length]).append("\"/>\n");
      }
      sb.append("<text x=\"").append(fmt(LEFT + (c + 0.5) * groupWidth)).append("\" y=\"").append(H - BOTTOM + 15)
          .append("\" font-size=\"11\" text-anchor=\"middle\">").append(esc(categories[c])).append("</text>\n");
    }
    for (int s = 0; s < seriesNames.size(); s++) {
      legend(sb, s, COLORS[s % COLORS.length], seriesNames.get(s));
    }
    write(file, sb);
  }

  private static StringBuilder start(String title) {
    StringBuilder sb = new StringBuilder();
    sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
        .append("\" font-family=\"sans-serif\">\n");
    sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    sb.append("<text x=\"").append(W / 2).append("\" y=\"22\" font-size=\"15\" text-anchor=\"middle\">")
        .append(esc(title)).append("</text>\n");
    return sb;
  }

  private static void axes(StringBuilder sb, String xLabel, String yLabel, double minX, double maxX, double maxY) {
    int x0 = LEFT;
    int y0 = H - BOTTOM;
    sb.append("<line x1=\"").append(x0).append("\" y1=\"").append(y0).append("\" x2=\"").append(W - RIGHT)
        .append("\" y2=\"").append(y0).append("\" stroke=\"black\"/>\n");
    sb.append("<line x1=\"").append(x0).append("\" y1=\"").append(TOP).append("\" x2=\"").append(x0)
        .append("\" y2=\"").append(y0).append("\" stroke=\"black\"/>\n");
    for (int i = 0; i <= 4; i++) {
      double v = maxY * i / 4;
      double y = py(v, maxY);
      sb.append("<line x1=\"").append(x0).append("\" y1=\"").append(fmt(y)).append("\" x2=\"").append(W - RIGHT)
          .append("\" y2=\"").append(fmt(y)).append("\" stroke=\"#ddd\"/>\n");
      sb.append("<text x=\"").append(x0 - 6).append("\" y=\"").append(fmt(y + 4))
          .append("\" font-size=\"11\" text-anchor=\"end\">").append(label(v)).append("</text>\n");
    }
    if (!Double.isNaN(minX)) {
      for (int i = 0; i <= 5; i++) {
        double v = minX + (maxX - minX) * i / 5;
        double x = px(v, minX, maxX);
        sb.append("<text x=\"").append(fmt(x)).append("\" y=\"").append(y0 + 15)
            .append("\" font-size=\"11\" text-anchor=\"middle\">").append(label(v)).append("</text>\n");
      }
    }
    sb.append("<text x=\"").append((LEFT + W - RIGHT) / 2).append("\" y=\"").append(H - 12)
        .append("\" font-size=\"12\" text-anchor=\"middle\">").append(esc(xLabel)).append("</text>\n");
    sb.append("<text x=\"16\" y=\"").append((TOP + y0) / 2).append("\" font-size=\"12\" text-anchor=\"middle\" ")
        .append("transform=\"rotate(-90 16 ").append((TOP + y0) / 2).append(")\">").append(esc(yLabel)).append("</text>\n");
  }

  private static void legend(StringBuilder sb, int k, String color, String name) {
    int y = TOP + 10 + k * 18;
    sb.append("<rect x=\"").append(W - RIGHT + 12).append("\" y=\"").append(y - 9).append("\" width=\"12\" height=\"10\" fill=\"")
        .append(color).append("\"/>\n");
    sb.append("<text x=\"").append(W - RIGHT + 30).append("\" y=\"").append(y).append("\" font-size=\"11\">")
        .append(esc(name)).append("</text>\n");
  }

  private static double px(double x, double minX, double maxX) {
    return LEFT + (x - minX) / (maxX - minX) * (W - LEFT - RIGHT);
  }

  private static double py(double y, double maxY) {
    return H - BOTTOM - y / maxY * (H - TOP - BOTTOM);
  }

  static double niceCeil(double v) {
    if (v <= 0) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static String label(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e9) {
      return Long.toString((long) v);
    }
    return java.math.BigDecimal.valueOf(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static void write(Path file, StringBuilder sb) throws IOException {
    sb.append("</svg>\n");
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, sb);
  }

  /** Convenience for building series from lists. */
  public static Series series(String name, List<double[]> points) {
    double[] x = new double[points.size()];
    double[] y = new double[points.size()];
    List<double[]> copy = new ArrayList<>(points);
    for (int i = 0; i < copy.size(); i++) {
      x[i] = copy.get(i)[0];
      y[i] = copy.get(i)[1];
    }
    return new Series(name, x, y);
  }
}
