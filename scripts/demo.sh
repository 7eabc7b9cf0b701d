#!/usr/bin/env bash
# The demo: starts a real HAProxy and Netty backends on loopback and runs the three failures of
# ../shared/SCENARIOS.md, and a scale-out through a real DNS server, twice: with Netty's own pool and
# plain handlers, then with Tether; and prints one table. Installs what it needs when missing (as root,
# with apt-get): haproxy, iptables for the failover scenario and dnsmasq for the scale-out (each act
# skipped, with a note, when its tool cannot be used). Takes under 2 minutes
# once Maven has its dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/require.sh
tether_paths

require java openjdk-17-jdk-headless "builds and runs Tether"
require mvn maven "builds Tether"
require haproxy haproxy "the demo runs a real HAProxy"
want iptables iptables "the failover scenario black-holes a backend" || true
want dnsmasq dnsmasq-base "the scale-out act runs a real DNS server" || true

echo ">> building (mvn -q -DskipTests package)"
mvn -B -q -DskipTests package -pl pool-bench -am
exec java -cp pool-bench/target/benchmarks.jar io.tether.bench.demo.Demo "$@"
