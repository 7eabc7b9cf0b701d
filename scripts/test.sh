#!/usr/bin/env bash
# Runs every test of Tether. Installs what the tests need when missing (as root, with apt-get):
#   haproxy   - the integration tests start real HAProxy processes on 127.0.0.0/8
#   iptables  - the failover tests black-hole a backend with an iptables DROP rule
#   openssl   - the TLS tests make their own certificates
#   nginx     - the HTTP client's conformance tests run against a real nginx (package nginx-light)
#   prometheus - the Grafana dashboard's queries run against a real Prometheus
#   dnsmasq   - DNS discovery is tested against a real DNS server on 127.0.0.60
#   maven, a JDK 17
# then runs `mvn -B verify`. Extra arguments go to Maven (e.g. -Dtest=PoolConfigTest).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/require.sh
tether_paths

require java openjdk-17-jdk-headless "builds and runs Tether"
require mvn maven "builds Tether"
require haproxy haproxy "integration tests run a real HAProxy"
require iptables iptables "failover tests black-hole a backend"
require openssl openssl "TLS tests make their own certificates"
want nginx nginx-light "the HTTP client's conformance tests run a real nginx; they are skipped without it" || true
want prometheus prometheus "the dashboard's queries run against a real Prometheus; skipped without it" || true
want dnsmasq dnsmasq-base "DNS discovery tests run a real DNS server; skipped without it" || true

echo ">> $(haproxy -v 2>/dev/null | head -1)"
exec mvn -B verify "$@"
