#!/usr/bin/env bash
# Installs the mesh an environment runs on into a kind cluster (nothing for plain Kubernetes).
# Flagger is not installed here: the provider bundle installs it through Flux, as on a provider's
# cluster. Used by .github/workflows/e2e.yml; needs Go, Node and the Go module proxy.
#
# Every installer is pinned by content, none is piped from a URL into a shell: the versions, Go
# modules and checksums are in tools/toolchain/src/meshes.json (also what the distributions are
# validated against). istioctl and the linkerd CLI are built from their release's module with the
# version the release build stamps in (it chooses the images' tags); Go checks each download
# against its checksum database, and the Istio and Gateway API modules against the pinned sums too.
set -euo pipefail

environment="${1:?usage: install-mesh.sh kubernetes|istio|linkerd}"
pins="$(cd "$(dirname "$0")/../toolchain/src" && pwd)/meshes.json"
bin="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/mesh-bin"
mkdir -p "$bin"

# A field of a JSON document ($2, or stdin), by its dotted path ($1); fails when it is not a string.
field() {
  # shellcheck disable=SC2016 # a JavaScript template literal, not a shell expansion
  node -e '
    const [path, file] = process.argv.slice(1);
    const value = path.split(".").reduce((o, key) => o?.[key], JSON.parse(require("node:fs").readFileSync(file ?? 0, "utf8")));
    if (typeof value !== "string") { console.error(`no ${path} in ${file ?? "the input"}`); process.exit(1); }
    console.log(value);
  ' "$@"
}
pin() { field "$1" "$pins"; }

# The directory of MODULE@VERSION in Go's module cache, once its checksum is the pinned one.
verified_module() {
  local download sum
  download="$(go mod download -json "$1")"
  sum="$(field Sum <<<"$download")"
  if [ "$sum" != "$2" ]; then
    echo "$1 has checksum $sum, not the pinned $2 (tools/toolchain/src/meshes.json)" >&2
    exit 1
  fi
  field Dir <<<"$download"
}

case "$environment" in
  kubernetes)
    echo "plain Kubernetes: no mesh (Flagger's kubernetes overlay brings its Prometheus)"
    ;;
  istio)
    version="$(pin istio.version)"
    module_version="$(pin istio.moduleVersion)"
    istio="$(verified_module "$(pin istio.module)@$module_version" "$(pin istio.sum)")"
    stamp=istio.io/istio/pkg/version
    GOBIN="$bin" go install -trimpath \
      -ldflags "-X $stamp.buildVersion=$version -X $stamp.buildTag=$version -X $stamp.buildHub=docker.io/istio" \
      "istio.io/istio/istioctl/cmd/istioctl@$module_version"
    "$bin/istioctl" install --set profile=demo --set hub=docker.io/istio --set tag="$version" -y
    kubectl apply -f "$istio/samples/addons/prometheus.yaml"
    kubectl -n istio-system rollout status deployment/prometheus --timeout=5m
    ;;
  linkerd)
    gateway_api="$(verified_module "$(pin gatewayApi.module)@$(pin gatewayApi.version)" "$(pin gatewayApi.sum)")"
    kubectl apply --server-side -f "$gateway_api/config/crd/standard/"
    version="$(pin linkerd.version)"
    CGO_ENABLED=0 GOBIN="$bin" go install -trimpath -tags prod \
      -ldflags "-X github.com/linkerd/linkerd2/pkg/version.Version=$version" \
      "$(pin linkerd.module)/cli@$(pin linkerd.commit)"
    linkerd="$bin/cli"
    built="$("$linkerd" version --client --short)"
    if [ "$built" != "$version" ]; then
      echo "the linkerd CLI built from $(pin linkerd.commit) says it is $built, not $version" >&2
      exit 1
    fi
    "$linkerd" install --crds | kubectl apply --server-side -f -
    "$linkerd" install | kubectl apply -f -
    "$linkerd" check
    "$linkerd" viz install | kubectl apply -f -
    kubectl -n linkerd-viz rollout status deployment/prometheus --timeout=5m
    ;;
  *)
    echo "unknown environment: $environment (kubernetes, istio or linkerd)" >&2
    exit 2
    ;;
esac
