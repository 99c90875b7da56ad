#!/usr/bin/env bash
# The traffic path on a real cluster (kind in CI, any kubeconfig elsewhere), after the distribution
# is applied and its Canaries are initialised:
#   1. a user's request through the entry reaches frontend, backend, cache and database, and the
#      answer proves each hop (the user's own echo comes back from cache and from database);
#   2. a backend release whose config calls a database that is not there is stopped, with the
#      primary unchanged.
set -euo pipefail

ns="${NAMESPACE:-webapp}"
client_ns="${CLIENT_NAMESPACE:-e2e-users}"
curl_image="${CURL_IMAGE:-curlimages/curl:8.17.0}"

kubectl create namespace "$client_ns" --dry-run=client -o yaml | kubectl apply -f -

# A user outside the app's namespace: the entry is the only Service its NetworkPolicies open to it.
answer=$(kubectl -n "$client_ns" run "user-$RANDOM" --image="$curl_image" --restart=Never --rm -i --quiet -- \
  curl --fail --silent --show-error --max-time 20 -X POST -H 'Content-Type: application/json' \
  --data-raw '{"canaryship":"canaryship-user-e2e"}' "http://entry.${ns}/echo")
echo "answer through the entry: $answer"
hops=$(printf '%s' "$answer" | grep -o canaryship-user-e2e | wc -l)
if [ "$hops" -ne 2 ]; then
  echo "the answer does not come back from both cache and database ($hops of 2)" >&2
  exit 1
fi

# Skipping the entry is refused: frontend admits only the entry and the loadtester.
if kubectl -n "$client_ns" run "intruder-$RANDOM" --image="$curl_image" --restart=Never --rm -i --quiet -- \
  curl --fail --silent --max-time 5 "http://frontend.${ns}:9898/" >/dev/null 2>&1; then
  echo "a pod outside the path reached frontend directly" >&2
  exit 1
fi

# A backend release that cannot reach its database: stopped before any user reaches it.
primary_before=$(kubectl -n "$ns" get deployment backend-primary -o jsonpath='{.spec.template.spec.containers[0].image}{.metadata.generation}')
config=$(kubectl -n "$ns" get configmap backend-config -o jsonpath='{.data.config\.yaml}')
broken=$(printf '%s\n' "$config" | sed "s#http://database.${ns}:9898/echo#http://database-archive.${ns}:9898/echo#")
kubectl -n "$ns" create configmap backend-config --from-literal=config.yaml="$broken" --dry-run=client -o yaml | kubectl apply -f -
kubectl -n "$ns" wait canary/backend --for=jsonpath='{.status.phase}'=Progressing --timeout=5m || true
kubectl -n "$ns" wait canary/backend --for=jsonpath='{.status.phase}'=Failed --timeout=15m
primary_after=$(kubectl -n "$ns" get deployment backend-primary -o jsonpath='{.spec.template.spec.containers[0].image}{.metadata.generation}')
if [ "$primary_before" != "$primary_after" ]; then
  echo "the primary changed: $primary_before -> $primary_after" >&2
  exit 1
fi
kubectl -n "$ns" create configmap backend-config --from-literal=config.yaml="$config" --dry-run=client -o yaml | kubectl apply -f -
echo "traffic path: every hop answered; a backend that cannot reach its database was stopped"
