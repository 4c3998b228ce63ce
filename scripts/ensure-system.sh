#!/usr/bin/env bash
# Installs the real components the tests run against (Debian packages), when missing.
# The tests start their own instances on free loopback ports and stop them after.
set -euo pipefail
need=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "$2" ]; }
have promtool /usr/bin/promtool || need+=(prometheus)
have prometheus /usr/bin/prometheus || need+=(prometheus)
have prometheus-pushgateway /usr/bin/prometheus-pushgateway || need+=(prometheus-pushgateway)
have rsyslogd /usr/sbin/rsyslogd || need+=(rsyslog)
have redis-server /usr/bin/redis-server || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-system: missing ${need[*]} and not root; install them with apt-get" >&2
    exit 0
  fi
  echo "ensure-system: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
