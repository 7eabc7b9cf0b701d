package io.tether.bench.jmh;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * Reports, per operation, the CPU time the whole benchmark JVM spent ({@code cpu.ns/op}) and how many
 * times its threads went to sleep and were woken ({@code wakeups/op}, voluntary context switches from
 * Linux's {@code /proc/self/task/}{@code *}{@code /status}). A pool that hands a released connection
 * to a parked waiter shows about one wake-up per hand-off; one that spins shows CPU time far above the
 * wall time it saves. Use with {@code -prof io.tether.bench.jmh.CpuProfiler}.
 */
public final class CpuProfiler implements InternalProfiler {
  private long cpuBefore;
  private long switchesBefore;

  @Override
  public String getDescription() {
    return "process CPU time and voluntary context switches per operation";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    cpuBefore = processCpuNanos();
    switchesBefore = voluntarySwitches();
  }

  @Override
  public Collection<? extends Result> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    long cpu = processCpuNanos() - cpuBefore;
    long switches = voluntarySwitches() - switchesBefore;
    long ops = Math.max(1, result.getMetadata().getAllOps());
    List<Result> out = new ArrayList<>();
    out.add(new ScalarResult("cpu.ns/op", (double) cpu / ops, "ns/op", AggregationPolicy.AVG));
    out.add(new ScalarResult("wakeups/op", (double) switches / ops, "#/op", AggregationPolicy.AVG));
    return out;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Sum over live threads; a thread that exits mid-iteration takes its count with it (rare here). */
  static long voluntarySwitches() {
    long sum = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        try {
          for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
              sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
        } catch (IOException threadGone) {
          // exited between listing and reading
        }
      }
    } catch (IOException noProc) {
      return 0;
    }
    return sum;
  }
}
