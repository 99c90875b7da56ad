#!/usr/bin/env bash
# Installs Flagger (and the mesh, when there is one) for one environment on a kind cluster, the way
# Flagger's own installs do it. Used by .github/workflows/e2e.yml.
set -euo pipefail

environment="$1"
flagger_version="$2"   # e.g. 1.44.0

case "$environment" in
  kubernetes)
    kubectl apply -k "github.com/fluxcd/flagger//kustomize/kubernetes?ref=v${flagger_version}"
    kubectl -n flagger-system rollout status deployment/flagger --timeout=5m
    ;;
  istio)
    curl -sSL https://istio.io/downloadIstio | ISTIO_VERSION=1.27.0 sh -
    ./istio-1.27.0/bin/istioctl install --set profile=demo -y
    kubectl apply -f ./istio-1.27.0/samples/addons/prometheus.yaml
    kubectl apply -k "github.com/fluxcd/flagger//kustomize/istio?ref=v${flagger_version}"
    kubectl -n istio-system rollout status deployment/flagger --timeout=5m
    ;;
  linkerd)
    kubectl apply -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.3.0/standard-install.yaml
    curl -sSfL https://run.linkerd.io/install-edge | sh
    export PATH="$HOME/.linkerd2/bin:$PATH"
    linkerd install --crds | kubectl apply -f -
    linkerd install | kubectl apply -f -
    linkerd check
    linkerd viz install | kubectl apply -f -
    kubectl apply -k "github.com/fluxcd/flagger//kustomize/linkerd?ref=v${flagger_version}"
    kubectl -n flagger-system rollout status deployment/flagger --timeout=5m
    ;;
  *)
    echo "unknown environment: $environment" >&2
    exit 2
    ;;
esac
