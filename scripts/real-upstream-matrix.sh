#!/usr/bin/env bash
# Runs `instrument check --build --test` over the real upstream repositories, from local clones of
# their mirrors, and the seed's workspace (llm-d v0.4.0 with GIE v1.2.0 under _deps/) through the
# user's own commands (apply, go build/vet/test in a copy, revert, byte comparison). Nothing here is
# part of the test suite: it is the verification a maintainer reruns after adding or changing points.
#
#   scripts/real-upstream-matrix.sh <GIE git dir> <llm-d git dir> <work folder>
#
# Needs `npm run build` first. Reports go to <work folder>/reports; timings to <work folder>/timings.
# PARTS="gie router workspace" (the default) chooses the parts; they can run as separate processes.
set -euo pipefail
GIE_GIT=${1:?GIE git dir (e.g. /work/.mirror/kubernetes-sigs+gateway-api-inference-extension/repo)}
LLMD_GIT=${2:?llm-d git dir (e.g. /work/.mirror/llm-d+llm-d-inference-scheduler/repo)}
WORK=${3:?work folder}
JOBS=${JOBS:-2}
PARTS=${PARTS:-gie router workspace}
part() { [[ " $PARTS " == *" $1 "* ]]; }
TOOL="node $(cd "$(dirname "$0")/.." && pwd)/bin/instrument.cjs"
mkdir -p "$WORK/reports"
timed() { local name=$1; shift; local t0; t0=$(date +%s); local rc=0; "$@" || rc=$?; echo "$name $(( $(date +%s) - t0 )) s, exit $rc" >> "$WORK/timings"; }

[ -d "$WORK/gie" ] || git clone --quiet "$GIE_GIT" "$WORK/gie"
[ -d "$WORK/router" ] || git clone --quiet "$LLMD_GIT" "$WORK/router"

part gie && timed gie $TOOL check --cache "$WORK/cache" --upstream "$WORK/gie" --tags '>=v0.4.0 <=v1.5.0' --ref fd30cb97714a \
  --build --test --jobs "$JOBS" --format json --output "$WORK/reports/gie.json" --junit "$WORK/reports/gie.xml"
part router && timed router $TOOL check --cache "$WORK/cache" --upstream "$WORK/router" --ref main \
  --build --test --jobs "$JOBS" --format json --output "$WORK/reports/router.json"

# The seed's workspace: llm-d v0.4.0, GIE v1.2.0 in its _deps/.
ws() {
  local ws=$WORK/workspace llmd=$WORK/workspace/llm-d-inference-scheduler
  rm -rf "$ws" "$WORK/workspace-patched" "$WORK/workspace-pristine"
  mkdir -p "$llmd/_deps/gateway-api-inference-extension"
  git --git-dir "$LLMD_GIT" archive v0.4.0 | tar -x -C "$llmd"
  git --git-dir "$GIE_GIT" archive v1.2.0 | tar -x -C "$llmd/_deps/gateway-api-inference-extension"
  local before; before=$(cd "$ws" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)
  cp -a "$ws" "$WORK/workspace-pristine"
  (cd "$ws" && $TOOL apply)
  cp -a "$ws" "$WORK/workspace-patched"
  (cd "$ws" && $TOOL revert)
  local after; after=$(cd "$ws" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)
  [ "$before" = "$after" ] && echo "workspace: revert byte-identical" || { echo "workspace: REVERT MISMATCH"; return 1; }
  local pkgs="./pkg/epp/scheduling/framework ./pkg/epp/handlers"
  local gie=sigs.k8s.io/gateway-api-inference-extension
  # The patched GIE packages, built and vetted inside llm-d's module (its dependency versions, and
  # the replace apply added). llm-d's own commands also need native libraries (libzmq, the
  # tokenizers library) that its Dockerfile installs, so `go build ./...` is not the check here.
  (cd "$WORK/workspace-patched/llm-d-inference-scheduler" && go build -trimpath "$gie/pkg/epp/scheduling/framework" "$gie/pkg/epp/handlers" && go vet -trimpath "$gie/pkg/epp/scheduling/framework" "$gie/pkg/epp/handlers") && echo "workspace: compiled and vetted" || { echo "workspace: BUILD OR VET FAILED"; return 1; }
  local patched_rc=0 pristine_rc=0
  (cd "$WORK/workspace-patched/llm-d-inference-scheduler/_deps/gateway-api-inference-extension" && go test -trimpath $pkgs) > "$WORK/reports/workspace-test-patched.txt" 2>&1 || patched_rc=$?
  (cd "$WORK/workspace-pristine/llm-d-inference-scheduler/_deps/gateway-api-inference-extension" && go test -trimpath $pkgs) > "$WORK/reports/workspace-test-pristine.txt" 2>&1 || pristine_rc=$?
  echo "workspace: go test exit $patched_rc patched, $pristine_rc pristine"
  [ "$patched_rc" = 0 ] || [ "$pristine_rc" != 0 ]
}
part workspace && timed workspace ws 2>&1 | tee "$WORK/reports/workspace.txt"
cat "$WORK/timings"
