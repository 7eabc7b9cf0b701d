package io.tether.bench.report;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A latency histogram safe to record into from any thread without locks: log-linear buckets (16 per
 * power of two, so any reported percentile is within 1/16 = 6.25% of the true value), from 1 ns to
 * about 2^40 ns (18 minutes).
 */
public final class Histogram {
  private static final int SUB = 16;
  private static final int SUB_BITS = 4;
  private static final int MAX_EXP = 40;

  private final AtomicLongArray counts = new AtomicLongArray((MAX_EXP + 1) * SUB);

  public void record(long nanos) {
    counts.incrementAndGet(index(Math.max(1, nanos)));
  }

  static int index(long v) {
    int exp = 63 - Long.numberOfLeadingZeros(v);
    if (exp < SUB_BITS) {
      return (int) v; // 1..15 exactly
    }
    if (exp > MAX_EXP) {
      return (MAX_EXP + 1) * SUB - 1;
    }
    int sub = (int) ((v >>> (exp - SUB_BITS)) & (SUB - 1));
    return (exp - SUB_BITS + 1) * SUB + sub;
  }

  /** The upper bound of bucket {@code i}, the value a percentile in it is reported as. */
  static long upper(int i) {
    if (i < SUB) {
      return i;
    }
    int exp = i / SUB + SUB_BITS - 1;
    int sub = i % SUB;
    return (1L << exp) + ((long) (sub + 1) << (exp - SUB_BITS)) - 1;
  }

  public long count() {
    long n = 0;
    for (int i = 0; i < counts.length(); i++) {
      n += counts.get(i);
    }
    return n;
  }

  /** The value below which {@code p} (0..1) of the recordings fall, in nanoseconds; 0 if empty. */
  public long percentile(double p) {
    long n = count();
    if (n == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(p * n);
    long seen = 0;
    for (int i = 0; i < counts.length(); i++) {
      seen += counts.get(i);
      if (seen >= Math.max(1, rank)) {
        return upper(i);
      }
    }
    return upper(counts.length() - 1);
  }

  public void reset() {
    for (int i = 0; i < counts.length(); i++) {
      counts.set(i, 0);
    }
  }
}
