#!/usr/bin/env bash
# Runs promtool with the given arguments: the one on PATH, or else the one of Debian's `prometheus`
# package, downloaded once and unpacked (not installed: no daemon starts) into .tools/ at the
# repository's root. Fails with a message when neither is possible; it never skips.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
if command -v promtool >/dev/null 2>&1; then
  exec promtool "$@"
fi
tool="$root/.tools/prometheus/usr/bin/promtool"
if [ ! -x "$tool" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "promtool is not on PATH and apt-get is missing: install Prometheus's promtool" >&2
    exit 3
  fi
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  if ! (cd "$work" && apt-get download prometheus >/dev/null 2>&1); then
    echo "promtool is not on PATH and 'apt-get download prometheus' failed" >&2
    exit 3
  fi
  mkdir -p "$root/.tools/prometheus"
  dpkg-deb -x "$work"/prometheus_*.deb "$root/.tools/prometheus"
fi
exec "$tool" "$@"
