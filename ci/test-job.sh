#!/usr/bin/env bash
# One CI matrix job: `host` runs the host tests and style check, an arch name runs that
# architecture's build, safe-subset gate and ktests on every firmware chain.
set -euo pipefail
cd "$(dirname "$0")/.."
case "$1" in
  host) exec ./keel test --host-only ;;
  *) exec ./keel test --arch "$1" --no-host ;;
esac
