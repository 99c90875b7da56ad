#!/usr/bin/env bash
# One release cycle on a real cluster: apply the distribution, wait for the Canaries to initialise,
# roll out a new revision of every service and wait for Flagger to promote all of them.
set -euo pipefail

environment="$1"
dist="environments/${environment}/dist"
ns=webapp

kubectl apply --server-side -k "$dist"
for canary in frontend backend cache database; do
  kubectl -n "$ns" wait "canary/${canary}" --for=jsonpath='{.status.phase}'=Initialized --timeout=10m
done

for canary in frontend backend cache database; do
  kubectl -n "$ns" patch deployment "$canary" --type=merge \
    -p "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"canaryship.dev/revision\":\"e2e-${GITHUB_RUN_ID:-local}\"}}}}}"
done
for canary in frontend backend cache database; do
  kubectl -n "$ns" wait "canary/${canary}" --for=jsonpath='{.status.phase}'=Succeeded --timeout=30m
done
kubectl -n "$ns" get canaries
