#!/usr/bin/env bash
# Benchmarks (not part of the tests; see docs/benchmarks.md for results and what each measures).
#   bash scripts/bench.sh jmh      B1-B3 and the exhausted hand-off, Tether and its peers in one JMH run (~20 min)
#   bash scripts/bench.sh e2e      req/s, p50, p99, CPU through a real HAProxy, every client (~10 min)
#   bash scripts/bench.sh gaps     failures per 1,000 requests with idle gaps around HAProxy's timeout (~6 min)
#   bash scripts/bench.sh expiry   1,000 connections reaching their idle deadline and max-lifetime together, with and without jitter (~3 min)
#   bash scripts/bench.sh failover a pinned session when its server is black-holed, request by request (root, ~10 s)
#   bash scripts/bench.sh soak     10 minutes of mixed load with backend kills and HAProxy reloads (DURATION=10m)
#   bash scripts/bench.sh all      all of the above except soak
# Results (tables, JMH CSV, SVG charts) go to target/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/require.sh
tether_paths

require java openjdk-17-jdk-headless "runs the benchmarks"
require mvn maven "builds them"
require haproxy haproxy "end-to-end benchmarks run a real HAProxy"

what=${1:-all}
out=target/bench
mkdir -p "$out"
mvn -B -q -DskipTests package -pl pool-bench -am
jar=pool-bench/target/benchmarks.jar
jvm=(-Xms1g -Xmx1g)
cpus=$(nproc)

# With two cores or more, HAProxy gets CPU 0 and the JVM under test CPU 1 (see Throughput).
pin_jvm() {
  if [ "$cpus" -ge 2 ] && command -v taskset >/dev/null; then taskset -c 1 "$@"; else "$@"; fi
}

jmh() {
  java -jar "$jar" AcquireReleaseBenchmark -t 1 -prof gc -rf csv -rff "$out/jmh-b1.csv" | tee "$out/jmh-b1.txt"
  java -jar "$jar" AcquireReleaseBenchmark -t 2 -prof gc -rf csv -rff "$out/jmh-b2-2t.csv" | tee "$out/jmh-b2-2t.txt"
  java -jar "$jar" AcquireReleaseBenchmark -t 8 -prof gc -rf csv -rff "$out/jmh-b2-8t.csv" | tee "$out/jmh-b2-8t.txt"
  java -jar "$jar" HandoffBenchmark -prof io.tether.bench.jmh.CpuProfiler -rf csv -rff "$out/jmh-handoff.csv" \
    | tee "$out/jmh-handoff.txt"
  java -jar "$jar" AffinityBenchmark -prof gc -rf csv -rff "$out/jmh-b3.csv" | tee "$out/jmh-b3.txt"
  for f in b1 b2-2t b2-8t; do
    java -cp "$jar" io.tether.bench.report.JmhTables "$out/jmh-$f.csv" tether-netty > "$out/jmh-$f.md"
  done
  java -cp "$jar" io.tether.bench.report.JmhTables "$out/jmh-handoff.csv" tether-core-future > "$out/jmh-handoff.md"
  java -cp "$jar" io.tether.bench.report.JmhTables "$out/jmh-b3.csv" 1 > "$out/jmh-b3.md"
  cat "$out"/jmh-*.md
}

e2e() {
  pin_jvm java "${jvm[@]}" -cp "$jar" io.tether.bench.e2e.Throughput backends 10 3 "$out"
  pin_jvm java "${jvm[@]}" -cp "$jar" io.tether.bench.e2e.Throughput origin 10 3 "$out"
}

gaps() {
  java "${jvm[@]}" -cp "$jar" io.tether.bench.e2e.IdleGapReliability 1000 64 "$out"
}

expiry() {
  java "${jvm[@]}" -cp "$jar" io.tether.bench.e2e.MassExpiry 1000 64 "$out"
}

failover() {
  if [ "$(id -u)" -ne 0 ] || ! command -v iptables >/dev/null; then
    echo "failover timeline skipped: needs root and iptables (apt-get install iptables)" >&2
    return 0
  fi
  java "${jvm[@]}" -cp "$jar" io.tether.bench.e2e.FailoverTimeline "$out"
}

soak() {
  java -Xms256m -Xmx256m -cp "$jar" io.tether.bench.soak.Soak "${DURATION:-10m}" "$out"
}

case "$what" in
  jmh) jmh ;;
  e2e) e2e ;;
  gaps) gaps ;;
  expiry) expiry ;;
  soak) soak ;;
  failover) failover ;;
  all) jmh; e2e; gaps; expiry; failover ;;
  *) echo "usage: bash scripts/bench.sh [jmh|e2e|gaps|expiry|failover|soak|all]" >&2; exit 2 ;;
esac
