#!/usr/bin/env bash
# Builds (once) the real Kubernetes control plane that the `cluster` test tier runs on loopback:
#   etcd                     Debian's etcd-server package (its service is not used: the tests start etcd themselves)
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl
#                            built from k8s.io/kubernetes $K8S_VERSION as a module dependency, fetched from the Go
#                            module proxy (k8s.io/kubernetes is not meant to be required as a module, so each of
#                            its staging modules is replaced by its published v0.x twin, read from its own go.mod)
#   kwok                     sigs.k8s.io/kwok $KWOK_VERSION: fakes the node, the pods' status and their logs
# The binaries land in $INSTRUMENT_CLUSTER_TOOLS (default ~/.cache/instrument/k8s-$K8S_VERSION/bin). When they are
# all there this script does nothing, so it is safe to run again. A cold build takes about 12 CPU-minutes and
# 3-4 GiB of memory; run it with `nice`. Nothing is listening or running when it ends.
set -euo pipefail
K8S_VERSION=v1.33.13
KWOK_VERSION=v0.7.0
cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/instrument/k8s-$K8S_VERSION
bin=${INSTRUMENT_CLUSTER_TOOLS:-$cache_root/bin}
tools=(kube-apiserver kube-controller-manager kube-scheduler kubectl kwok)

# shellcheck source=lib/apt-install.sh
. "$(dirname "$0")/lib/apt-install.sh"
apt_need=()
command -v etcd >/dev/null 2>&1 || apt_need+=(etcd-server)
command -v openssl >/dev/null 2>&1 || apt_need+=(openssl)
if [ ${#apt_need[@]} -gt 0 ]; then
  apt_install setup-cluster-tools "${apt_need[@]}"
  # Debian's etcd service is not wanted (the tests run their own etcd on loopback ports).
  sudo=''
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo systemctl disable --now etcd >/dev/null 2>&1 || true
fi

missing=()
for t in "${tools[@]}"; do [ -x "$bin/$t" ] || missing+=("$t"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-cluster-tools: ready ($bin, etcd $(etcd --version | awk '/etcd Version/{print $3}'))"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "setup-cluster-tools: Go is not on PATH (needed to build the control plane)" >&2; exit 1; }
echo "setup-cluster-tools: building ${missing[*]} into $bin (cold: ~12 CPU-minutes)"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
mkdir -p "$cache_root/module" "$bin"
staging="$cache_root/staging"
mkdir -p "$staging"

needs_k8s=0
for t in "${missing[@]}"; do [ "$t" != kwok ] && needs_k8s=1; done
if [ $needs_k8s -eq 1 ]; then
  mod_dir="$cache_root/module"
  # The staging modules are the `=> ./staging/src/...` replaces in k8s.io/kubernetes' own go.mod.
  k8s_gomod=$(cd "$mod_dir" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  staging_version="v0.${K8S_VERSION#v1.}"
  {
    echo "module instrument.local/k8s-control-plane"
    echo
    echo "go 1.24"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$k8s_gomod" | awk -v v="$staging_version" '{print "replace " $1 " => " $1 " " v}'
  } > "$mod_dir/go.mod"
  count=$(grep -c '^replace' "$mod_dir/go.mod")
  [ "$count" -ge 20 ] || { echo "setup-cluster-tools: found only $count staging modules in $k8s_gomod" >&2; exit 1; }
  cat > "$mod_dir/tools.go" <<'GO'
//go:build tools

// Package tools pins the Kubernetes commands this module builds.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  (cd "$mod_dir" && go mod tidy -e >/dev/null 2>&1 || true)
  minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitTreeState=clean"
  for t in "${missing[@]}"; do
    [ "$t" = kwok ] && continue
    (cd "$mod_dir" && go build -trimpath -ldflags "$ldflags" -o "$staging/$t" "k8s.io/kubernetes/cmd/$t")
    mv "$staging/$t" "$bin/$t"
    echo "setup-cluster-tools: built $t"
  done
fi
for t in "${missing[@]}"; do
  [ "$t" = kwok ] || continue
  GOBIN="$staging" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  mv "$staging/kwok" "$bin/kwok"
  echo "setup-cluster-tools: built kwok"
done
echo "setup-cluster-tools: ready ($bin)"
