#!/usr/bin/env bash
# jcstress over the lease protocol in its full ("default") mode: every test in every JVM and compiler
# configuration jcstress knows, for longer than CI's quick mode (quick mode in every configuration took 11 minutes on 2 cores; default mode takes longer).
# CI runs the same tests in quick mode as part of `mvn verify`. Report: pool-core/target/jcstress/results.
#   scripts/jcstress.sh [mode]     mode: sanity | quick | default (the default) | tough | stress
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-default}"
mvn -B -q install -DskipTests
mvn -B -pl pool-core test -Dtest=JcstressTest -Dsurefire.failIfNoSpecifiedTests=false -Dtether.jcstress.mode="$mode" -Dtether.jcstress.allJvmModes=true
echo "jcstress ($mode): see pool-core/target/jcstress/console.txt and pool-core/target/jcstress/results/index.html"
