#!/usr/bin/env bash
# Builds the local control plane's binaries into a cache outside git, keyed by this module's pins,
# so a rebuild happens only when a version changes. Prints the bin directory on stdout.
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler: from this module (go.mod pins them)
#   kwok, flagger, flagger loadtester: `go install` at the versions below
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# One place per version: Kubernetes and etcd in go.mod, Flagger beside the images the distributions run.
KUBERNETES_VERSION="$(cd "$here" && go list -m -f '{{.Version}}' k8s.io/kubernetes)"
FLAGGER_VERSION="v$(sed -n "s/^export const FLAGGER_VERSION = '\(.*\)';$/\1/p" "$here/../../packages/blocks/src/images.ts")"
KWOK_VERSION=v0.8.0
[[ "$FLAGGER_VERSION" != v ]] || { echo "control-plane build: FLAGGER_VERSION not found in packages/blocks/src/images.ts" >&2; exit 1; }
cache_root="${CANARYSHIP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/canaryship}"
key="$(cat "$here/go.mod" "$here/go.sum" "$0" <(echo "$FLAGGER_VERSION $KWOK_VERSION") | sha256sum | cut -c1-16)"
bin="$cache_root/control-plane/$key"

log() { echo "control-plane build: $*" >&2; }

if [[ -f "$bin/.complete" ]]; then
  echo "$bin"
  exit 0
fi
mkdir -p "$bin"

minor="${KUBERNETES_VERSION#v1.}"; minor="${minor%%.*}"
# Without these the servers report v0.0.0 and Flagger refuses to start.
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=${KUBERNETES_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor}"

cd "$here"
for cmd in kube-apiserver kube-controller-manager kube-scheduler; do
  if [[ ! -x "$bin/$cmd" ]]; then
    log "building $cmd $KUBERNETES_VERSION (the first build takes 10-25 minutes on 2 cores)"
    go build -trimpath -ldflags "$ldflags" -o "$bin/$cmd" "k8s.io/kubernetes/cmd/$cmd"
  fi
done
if [[ ! -x "$bin/etcd" ]]; then
  log "building etcd"
  go build -trimpath -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3
fi
for tool in "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" "github.com/fluxcd/flagger/cmd/flagger@$FLAGGER_VERSION" "github.com/fluxcd/flagger/cmd/loadtester@$FLAGGER_VERSION"; do
  name="${tool%@*}"; name="${name##*/}"
  if [[ ! -x "$bin/$name" ]]; then
    log "installing $tool"
    GOBIN="$bin" go install -trimpath -ldflags "-s -w" "$tool"
  fi
done
touch "$bin/.complete"
echo "$bin"
