#!/usr/bin/env bash
# Installs, from Debian's packages, what instrument's tests and demo need beyond Node.js and Go:
#   docker.io       a Docker engine (dockerd); the tests start their own daemon, see test/helpers/docker-engine.ts
#   busybox-static  a static shell for the base images the tests make (nothing is pulled from a registry)
#   chromium        headless, to check that analyze's HTML page renders (no browser download)
#   jq              the baseline of the analyze benchmark
#   strace          the fault-injection harness (bench/fault-injection.mjs) and its CI part
#   zsh, fish       to load and run the completion scripts `instrument completion` writes (test/e2e/conventions.test.ts)
# and, through setup-cluster-tools.sh, the real Kubernetes control plane of the `cluster` test tier
# (etcd from Debian; kube-apiserver, kube-controller-manager, kube-scheduler, kubectl and kwok built
# once from the Go module proxy into ~/.cache/instrument/).
# Safe to run again: it installs only what is missing.
set -euo pipefail
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
busybox=$(command -v busybox 2>/dev/null || true)
linkage=$( [ -n "$busybox" ] && ldd "$busybox" 2>&1 || true)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v jq >/dev/null 2>&1 || need+=(jq)
command -v strace >/dev/null 2>&1 || need+=(strace)
command -v zsh >/dev/null 2>&1 || need+=(zsh)
command -v fish >/dev/null 2>&1 || need+=(fish)
case "$linkage" in
  *'not a dynamic executable'*) ;;
  *) need+=(busybox-static) ;;
esac
# shellcheck source=lib/apt-install.sh
. "$(dirname "$0")/lib/apt-install.sh"
apt_install setup-machine "${need[@]}"
command -v go >/dev/null 2>&1 || { echo "setup-machine: Go is not on PATH (the tests need Go >= 1.24)" >&2; exit 1; }
nice -n 10 "$(dirname "$0")/setup-cluster-tools.sh"
echo "setup-machine: ready (dockerd $(dockerd --version | awk '{print $3}' | tr -d ,), $(go version | awk '{print $3}'), node $(node --version))"
