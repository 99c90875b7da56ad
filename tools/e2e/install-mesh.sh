#!/usr/bin/env bash
# Installs the mesh an environment runs on into a kind cluster (nothing for plain Kubernetes), at
# pinned versions. Flagger is not installed here: the provider bundle installs it through Flux,
# as on a provider's cluster. Used by .github/workflows/e2e.yml; needs the internet.
set -euo pipefail

environment="${1:?usage: install-mesh.sh kubernetes|istio|linkerd}"
istio_version=1.27.0          # the release whose API the istio distribution is validated against
linkerd_version=edge-25.12.3
gateway_api_version=v1.3.0    # the release whose CRDs the linkerd distribution is validated against
bin="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/mesh-bin"
mkdir -p "$bin"

case "$environment" in
  kubernetes)
    echo "plain Kubernetes: no mesh (Flagger's kubernetes overlay brings its Prometheus)"
    ;;
  istio)
    (cd "$bin" && curl -sSfL https://istio.io/downloadIstio | ISTIO_VERSION="$istio_version" sh -)
    "$bin/istio-${istio_version}/bin/istioctl" install --set profile=demo -y
    kubectl apply -f "$bin/istio-${istio_version}/samples/addons/prometheus.yaml"
    kubectl -n istio-system rollout status deployment/prometheus --timeout=5m
    ;;
  linkerd)
    kubectl apply -f "https://github.com/kubernetes-sigs/gateway-api/releases/download/${gateway_api_version}/standard-install.yaml"
    curl -sSfL https://run.linkerd.io/install-edge | LINKERD2_VERSION="$linkerd_version" sh
    linkerd="$HOME/.linkerd2/bin/linkerd"
    "$linkerd" install --crds | kubectl apply -f -
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
