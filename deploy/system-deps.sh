#!/usr/bin/env bash
# Installs the Debian packages the tests and the demo use, only those that are missing:
# a Java runtime (17 or newer) and Maven (the broker is assembled from Maven artifacts),
# PostgreSQL (server), kcat (a non-Python Kafka client), Chromium and npm (browser tests, axe-core)
# and promtool. What is left to have by hand: a Debian-based system, Python 3, make, root or sudo.
set -euo pipefail

want=()
have_pg() { command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; }
have_pg || want+=(postgresql)
java_major() { java -version 2>&1 | sed -nE '1s/.*version "([0-9]+).*/\1/p'; }
have_java() { command -v java >/dev/null 2>&1 && [ "$(java_major)" -ge 17 ] 2>/dev/null; }
have_java || want+=(default-jre-headless)
command -v mvn >/dev/null 2>&1 || want+=(maven)
command -v npm >/dev/null 2>&1 || want+=(npm)
command -v kcat >/dev/null 2>&1 || want+=(kcat)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || want+=(chromium)
command -v promtool >/dev/null 2>&1 || want+=(prometheus)

if [ ${#want[@]} -eq 0 ]; then
  exit 0
fi
echo "installing Debian packages: ${want[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
# The prometheus package starts a server as a service; the hub only needs promtool.
if [[ " ${want[*]} " == *" prometheus "* ]]; then
  "${sudo_cmd[@]}" service prometheus stop >/dev/null 2>&1 || true
fi
