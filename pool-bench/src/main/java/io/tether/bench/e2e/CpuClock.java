package io.tether.bench.e2e;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * CPU time of this JVM minus the in-process test backends' threads (named {@code backend-*}): the
 * client's cost, including its garbage collection and JIT work, which are part of what a client costs.
 */
final class CpuClock {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private CpuClock() {}

  static long clientNanos() {
    return processNanos() - backendNanos();
  }

  static long processNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long backendNanos() {
    long sum = 0;
    long[] ids = THREADS.getAllThreadIds();
    ThreadInfo[] infos = THREADS.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      if (infos[i] != null && infos[i].getThreadName().startsWith("backend-")) {
        long t = THREADS.getThreadCpuTime(ids[i]);
        if (t > 0) {
          sum += t;
        }
      }
    }
    return sum;
  }
}
