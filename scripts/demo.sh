#!/usr/bin/env bash
# The main job on the bundled example, start to finish, in a temporary folder:
# vendor GIE into the example workspace, apply the patches, show the diff, compile, send one
# request through the instrumented EPP and print its instrumentation lines, revert, and prove that
# every file is byte-identical to before. Run it with `npm run demo` (which builds the CLI first).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
  [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
instrument() { node "$repo/bin/instrument.cjs" "$@"; }
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
# Waits until something listens on a loopback port.
wait_port() {
  for _ in $(seq 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  return 1
}
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

step "scoring analysis on loopback: three model servers, the instrumented EPP, a test gateway"
bin="$work/bin"
mkdir -p "$bin"
(cd "$repo/examples/gateway" && go build -o "$bin" ./cmd/gateway ./cmd/model-server)
(cd llm-d-inference-scheduler && go build -o "$bin/epp" ./cmd/epp)
read -r port_a port_b port_c port_epp port_gw < <(node -e '
  const net = require("node:net");
  Promise.all([0, 1, 2, 3, 4].map(() => new Promise((done) => { const s = net.createServer().listen(0, "127.0.0.1", () => done(s)); })))
    .then((servers) => { console.log(servers.map((s) => s.address().port).join(" ")); servers.forEach((s) => s.close()); });')
for server in "vllm-a $port_a" "vllm-b $port_b" "vllm-c $port_c"; do
  set -- $server
  "$bin/model-server" --listen "127.0.0.1:$2" --name "$1" --delay 400ms 2>>"$work/servers.log" &
  pids+=($!)
done
"$bin/epp" --grpc-port "$port_epp" --endpoints "vllm-a=127.0.0.1:$port_a,vllm-b=127.0.0.1:$port_b,vllm-c=127.0.0.1:$port_c" 2>"$work/epp.log" &
pids+=($!)
"$bin/gateway" --listen "127.0.0.1:$port_gw" --epp "127.0.0.1:$port_epp" 2>"$work/gateway.log" &
pids+=($!)
for port in "$port_a" "$port_b" "$port_c" "$port_epp" "$port_gw"; do wait_port "$port"; done

step "instrument traffic   # 20 requests through the gateway, 5 at a time"
instrument traffic --url "http://127.0.0.1:$port_gw/v1/chat/completions" --requests 20 --concurrency 5

step "instrument analyze   # the EPP's log, read back: the last requests and the summary"
instrument analyze "$work/epp.log" | tail -n 25
# DEMO_SAVE_LOG=FILE keeps the captured log (examples/logs/demo-epp.log was saved this way).
[ -z "${DEMO_SAVE_LOG:-}" ] || cp "$work/epp.log" "$DEMO_SAVE_LOG"

step "instrument analyze --weights active-request-scorer=3   # what if it had weight 3: the same log, recomputed"
instrument analyze --weights active-request-scorer=3 "$work/epp.log"

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
