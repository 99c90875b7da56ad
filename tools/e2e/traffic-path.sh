#!/usr/bin/env bash
# The traffic path on a real cluster (kind in CI, any kubeconfig whose cluster runs pods), after
# Flux applied a release and its Canaries are initialised: a user's request through the entry
# reaches frontend, backend, cache and database, and the answer proves each hop (the user's own
# echo comes back from cache and from database); a pod that skips the entry is refused. (On the
# local control plane, whose pods are modelled, the same proof is provenHops in tools/cluster.)
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
hops=$(printf '%s' "$answer" | { grep -o canaryship-user-e2e || true; } | wc -l)
if [ "$hops" -ne 2 ]; then
  echo "the answer does not come back from both cache and database ($hops of 2)" >&2
  exit 1
fi

# Skipping the entry is refused: frontend admits only the entry and the loadtester. The pod itself
# must run and report curl's own exit code: a pod that never starts proves nothing.
# shellcheck disable=SC2016 # $0 and $? are the pod's shell's, not this one's
intruder=$(kubectl -n "$client_ns" run "intruder-$RANDOM" --image="$curl_image" --restart=Never --rm -i --quiet --command -- \
  sh -c 'curl --fail --silent --max-time 5 -o /dev/null "$0"; echo "curl-exit=$?"' "http://frontend.${ns}:9898/")
case "$intruder" in
  *curl-exit=0*)
    echo "a pod outside the path reached frontend directly" >&2
    exit 1
    ;;
  *curl-exit=7* | *curl-exit=28* | *curl-exit=52* | *curl-exit=56*)
    echo "a pod skipping the entry was refused ($intruder)"
    ;;
  *)
    echo "could not tell whether frontend refuses a pod outside the path: $intruder" >&2
    exit 1
    ;;
esac

echo "traffic path: every hop answered through the entry; skipping the entry was refused"
