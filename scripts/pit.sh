#!/usr/bin/env bash
# Mutation testing (PIT) over the engine and the Netty adapters: which lines no test defends.
# Not part of CI (it runs the fast tests once per mutant: 25-30 minutes on 2 cores for each module).
#   scripts/pit.sh                 pool-core: the engine packages (io.tether.pool.internal.*)
#   scripts/pit.sh 'io.tether.*'   pool-core, any target class filter
#   scripts/pit.sh netty [filter]  pool-netty: the Netty 4 adapter (io.tether.netty and its internal
#                                  package by default), judged by pool-netty's tests that need no
#                                  HAProxy, DNS server, nginx, Prometheus or iptables
# Reports: <module>/target/pit-reports/index.html (and mutations.xml); the scores are in docs/testing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
module=pool-core
tests='io.tether.pool.*'
default='io.tether.pool.internal.*'
if [ "${1:-}" = netty ]; then
  module=pool-netty
  tests='io.tether.*'
  default='io.tether.netty.TetherChannelPool*,io.tether.netty.ChannelPoolBase*,io.tether.netty.HandOver*,io.tether.netty.internal.*'
  shift
fi
targets="${1:-$default}"
mvn -B -q install -DskipTests
mvn -B -Ppit -pl "$module" test-compile org.pitest:pitest-maven:mutationCoverage \
  -DtargetClasses="$targets" -DtargetTests="$tests"
python3 - "$module/target/pit-reports/mutations.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
from collections import Counter
muts = ET.parse(sys.argv[1]).getroot()
by = Counter(); killed = Counter()
for m in muts:
    pkg = m.findtext('mutatedClass').rsplit('.', 1)[0]
    by[pkg] += 1
    if m.get('status') in ('KILLED', 'TIMED_OUT', 'MEMORY_ERROR'):
        killed[pkg] += 1
for pkg in sorted(by):
    print(f"{pkg}: {killed[pkg]}/{by[pkg]} killed ({100.0 * killed[pkg] / by[pkg]:.1f}%)")
t, k = sum(by.values()), sum(killed.values())
print(f"total: {k}/{t} killed ({100.0 * k / t:.1f}%)")
PY
