#!/usr/bin/env bash
# Mutation testing (PIT) over the engine and the Netty adapters: which lines no test defends.
# Not part of CI (it runs the fast tests once per mutant: 25 minutes on 2 cores).
#   scripts/pit.sh                 engine packages (io.tether.pool.internal) and the config reader
#   scripts/pit.sh 'io.tether.*'   any target class filter
# Reports: pool-core/target/pit-reports/index.html (and mutations.xml); the score is in docs/testing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
targets="${1:-io.tether.pool.internal.*}"
mvn -B -q install -DskipTests
mvn -B -Ppit -pl pool-core test-compile org.pitest:pitest-maven:mutationCoverage \
  -DtargetClasses="$targets" -DtargetTests='io.tether.pool.*'
python3 - pool-core/target/pit-reports/mutations.xml <<'PY'
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
