#!/usr/bin/env bash
# Regenerates docs/report.png (the README's picture of the HTML report) from a simulated P/D run
# under load: scripts/report-screenshot.ts, bundled with the project's own bundler (Node 20 runs no
# TypeScript) and run once. Needs chromium (scripts/setup-machine.sh) and `npm ci`.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$repo"
npx rolldown scripts/report-screenshot.ts --platform node --format esm --file "$work/report-screenshot.mjs" >/dev/null
node "$work/report-screenshot.mjs" "${1:-docs/report.png}"
