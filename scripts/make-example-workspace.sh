#!/usr/bin/env bash
# Makes, under DEST, what a user has before running instrument:
#   DEST/workspace/llm-d-inference-scheduler/   a copy of examples/workspace (llm-d v0.4.0 shape)
#   DEST/upstream-gie/                          a git repository standing in for GIE upstream: the
#                                               g12 fixture (GIE v1.2.0 shape), tagged v1.2.0
# so that `instrument vendor --upstream DEST/upstream-gie` fills _deps/ the way it does for real.
set -euo pipefail
dest=${1:?usage: make-example-workspace.sh DEST}
repo=$(cd "$(dirname "$0")/.." && pwd)

mkdir -p "$dest/workspace"
cp -R "$repo/examples/workspace/llm-d-inference-scheduler" "$dest/workspace/"

upstream="$dest/upstream-gie"
mkdir -p "$upstream"
cp -R "$repo/test/go-fixtures/g12/." "$upstream/"
git -C "$upstream" init --quiet --initial-branch main
git -C "$upstream" -c user.name=instrument -c user.email=instrument@example.invalid add --all
git -C "$upstream" -c user.name=instrument -c user.email=instrument@example.invalid commit --quiet -m "GIE v1.2.0 shape (instrument test fixture)"
git -C "$upstream" tag v1.2.0
