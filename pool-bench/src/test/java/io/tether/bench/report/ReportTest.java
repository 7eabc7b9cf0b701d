package io.tether.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** The numbers and pictures the benchmarks publish come out right. */
class ReportTest {

  @Test
  void percentilesAreWithinOneBucketOfTheTruth() {
    Histogram h = new Histogram();
    for (long v = 1; v <= 100_000; v++) {
      h.record(v * 1000); // 1 us .. 100 ms, uniform
    }
    assertEquals(100_000, h.count());
    for (double p : new double[] {0.5, 0.9, 0.99, 0.999}) {
      double truth = p * 100_000 * 1000;
      double got = h.percentile(p);
      assertTrue(got >= truth && got <= truth * 1.0625 + 1, "p" + p + ": " + got + " vs " + truth);
    }
    assertEquals(0, new Histogram().percentile(0.99));
  }

  @Test
  void smallValuesAreExact() {
    Histogram h = new Histogram();
    h.record(3);
    h.record(7);
    assertEquals(3, h.percentile(0.5));
    assertEquals(7, h.percentile(1.0));
  }

  @Test
  void tablesAreMarkdownWithPaddedColumns() {
    String t = new Table("client", "req/s").row("Tether", 48826).row("floor", 47956).toString();
    assertEquals("| client | req/s |\n| ------ | ----- |\n| Tether | 48826 |\n| floor  | 47956 |\n", t);
  }

  @Test
  void jmhCsvBecomesATableWithRatiosAndSecondaryResults() {
    List<String> csv = List.of(
        "\"Benchmark\",\"Mode\",\"Threads\",\"Samples\",\"Score\",\"Score Error (99.9%)\",\"Unit\",\"Param: idle\",\"Param: impl\"",
        "\"io.tether.bench.jmh.AcquireReleaseBenchmark.offLoop\",\"avgt\",1,5,20.000000,1.000000,\"ns/op\",8,tether-netty",
        "\"io.tether.bench.jmh.AcquireReleaseBenchmark.offLoop:gc.alloc.rate.norm\",\"avgt\",1,5,0.001,0.002,\"B/op\",8,tether-netty",
        "\"io.tether.bench.jmh.AcquireReleaseBenchmark.offLoop\",\"avgt\",1,5,100.000000,3.000000,\"ns/op\",8,netty-simple",
        "\"io.tether.bench.jmh.AcquireReleaseBenchmark.offLoop:gc.alloc.rate.norm\",\"avgt\",1,5,88.0,0.5,\"B/op\",8,netty-simple");
    String t = JmhTables.render(JmhTables.parse(csv), "tether-netty");
    assertTrue(t.contains("| AcquireReleaseBenchmark.offLoop | 1       | idle=8 impl=netty-simple | 100"), t);
    assertTrue(t.contains("88.00"), t);
    assertTrue(t.contains("| 5.00 "), "netty-simple is 5x tether-netty: " + t);
  }

  @Test
  void chartsAreWellFormedSvg(@TempDir Path dir) throws Exception {
    Path line = dir.resolve("line.svg");
    SvgChart.line(line, "reconnects <over> time & jitter", "s", "n",
        List.of(new SvgChart.Series("a", new double[] {0, 1, 2}, new double[] {0, 5, 1})),
        List.of(new SvgChart.Marker(1, "drop")));
    Path bars = dir.resolve("bars.svg");
    SvgChart.bars(bars, "failures", "gap", "per 1000", new String[] {"950ms", "1000ms"}, List.of("x", "y"),
        new double[][] {{0, 1}, {3, 40}});
    for (Path p : List.of(line, bars)) {
      Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(p.toFile());
      assertEquals("svg", d.getDocumentElement().getNodeName());
    }
    assertTrue(Files.readString(line).contains("polyline"));
    assertEquals(4 + 2, count(Files.readString(bars), "<rect") - 1, "4 bars + 2 legend keys (+ background)");
  }

  private static int count(String s, String needle) {
    int n = 0;
    for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
