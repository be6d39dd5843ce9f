#!/usr/bin/env bash
# The main job on the bundled example, start to finish, in a temporary folder:
# vendor GIE into the example workspace, apply the patches, show the diff, compile, send one
# request through the instrumented EPP and print its instrumentation lines, revert, and prove that
# every file is byte-identical to before. Run it with `npm run demo` (which builds the CLI first).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
instrument() { node "$repo/bin/instrument.js" "$@"; }
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
# sha256 of every file, .git folders left out (git rewrites its own files as it likes).
snapshot() { find . -type f -not -path '*/.git/*' -print0 | sort -z | xargs -0 sha256sum; }

step "example workspace (llm-d v0.4.0 shape) in $work/workspace"
"$repo/scripts/make-example-workspace.sh" "$work"
cd "$work/workspace"

step "instrument vendor   # clone the GIE version go.mod requires into _deps/"
instrument vendor --upstream "$work/upstream-gie"
before=$(snapshot)

step "instrument apply"
instrument apply

step "instrument diff"
instrument diff

step "go build ./... && go vet ./...   # the instrumented EPP compiles"
(cd llm-d-inference-scheduler && go build ./... && go vet ./... && echo ok)

step "one request through the instrumented EPP: its instrumentation lines"
(cd llm-d-inference-scheduler && go run ./cmd/epp --selftest 1 2>&1 >/dev/null | grep 'instrument: ')

step "instrument status"
instrument status

step "instrument revert"
instrument revert
if [ "$before" = "$(snapshot)" ]; then
  echo "every file is byte-identical to before apply ($(printf '%s\n' "$before" | wc -l) files checked)"
else
  echo "files differ from before apply:" >&2
  diff <(printf '%s\n' "$before") <(snapshot) >&2
  exit 1
fi
