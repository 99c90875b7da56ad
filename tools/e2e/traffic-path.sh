#!/usr/bin/env bash
# The traffic path on a real cluster (kind in CI, any kubeconfig whose cluster runs pods), after
# Flux applied a release and its Canaries are initialised: a user's request through the entry
# reaches every service on the app's path, and the answer proves each hop (the user's own echo
# comes back from every end of the path, in the shape the calls give it: provider-path prove, the
# proof the local control plane's suites use); a pod that skips the entry is refused. Which
# services those are comes from the app's definition (ENVIRONMENT names it).
set -euo pipefail

environment="${ENVIRONMENT:?the environment whose path to prove (kubernetes, istio or linkerd)}"
ns="${NAMESPACE:-webapp}"
client_ns="${CLIENT_NAMESPACE:-e2e-users}"
curl_image="${CURL_IMAGE:-curlimages/curl:8.17.0}"

kubectl create namespace "$client_ns" --dry-run=client -o yaml | kubectl apply -f -

# A user outside the app's namespace: the entry is the only Service its NetworkPolicies open to it.
answer=$(kubectl -n "$client_ns" run "user-$RANDOM" --image="$curl_image" --restart=Never --rm -i --quiet -- \
  curl --fail --silent --show-error --max-time 20 -X POST -H 'Content-Type: application/json' \
  --data-raw '{"canaryship":"canaryship-user-e2e"}' "http://entry.${ns}/echo")
echo "answer through the entry: $answer"
provider_path() { node "$(dirname "$0")/../cluster/bin/provider-path.js" "$@" --environment "$environment"; }
provider_path prove --answer "$answer"

# Skipping the entry is refused: the service behind it admits only the entry and the loadtester. The pod itself
# must run and report curl's own exit code: a pod that never starts proves nothing.
front=$(provider_path front)
# shellcheck disable=SC2016 # $0 and $? are the pod's shell's, not this one's
intruder=$(kubectl -n "$client_ns" run "intruder-$RANDOM" --image="$curl_image" --restart=Never --rm -i --quiet --command -- \
  sh -c 'curl --fail --silent --max-time 5 -o /dev/null "$0"; echo "curl-exit=$?"' "http://${front}.${ns}:9898/")
case "$intruder" in
  *curl-exit=0*)
    echo "a pod outside the path reached ${front} directly" >&2
    exit 1
    ;;
  *curl-exit=7* | *curl-exit=28* | *curl-exit=52* | *curl-exit=56*)
    echo "a pod skipping the entry was refused ($intruder)"
    ;;
  *)
    echo "could not tell whether ${front} refuses a pod outside the path: $intruder" >&2
    exit 1
    ;;
esac

echo "traffic path: every hop answered through the entry; skipping the entry was refused"
