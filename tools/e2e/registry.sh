#!/usr/bin/env bash
# An OCI registry inside the cluster (Distribution's registry image, pinned), which Flux's
# source-controller pulls from at registry.registry.svc.cluster.local:5000, and which this machine
# reaches through a port-forward on 127.0.0.1:5000 to publish to (loopback: plain HTTP is accepted).
# The port-forward keeps running in the background for the later steps (GitHub Actions ends it
# with the job); the registry keeps what is pushed only as long as its pod lives.
set -euo pipefail

image="registry:3.0.0"
port="${REGISTRY_PORT:-5000}"

kubectl apply -f - <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: registry
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: registry
  namespace: registry
spec:
  selector:
    matchLabels: { app: registry }
  template:
    metadata:
      labels: { app: registry }
    spec:
      containers:
        - name: registry
          image: ${image}
          ports:
            - containerPort: 5000
---
apiVersion: v1
kind: Service
metadata:
  name: registry
  namespace: registry
spec:
  selector: { app: registry }
  ports:
    - port: 5000
      targetPort: 5000
YAML
kubectl -n registry rollout status deployment/registry --timeout=5m

state="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
log="$state/registry-port-forward.log"
# A rerun replaces the port-forward an earlier run left (its pid is kept beside its log).
if [ -f "$state/registry-port-forward.pid" ]; then
  kill "$(cat "$state/registry-port-forward.pid")" 2>/dev/null || true
fi
nohup kubectl -n registry port-forward service/registry "${port}:5000" >"$log" 2>&1 &
echo $! >"$state/registry-port-forward.pid"
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:${port}/v2/" >/dev/null 2>&1; then
    echo "registry: in the cluster at registry.registry.svc.cluster.local:5000, here at 127.0.0.1:${port}"
    exit 0
  fi
  sleep 1
done
echo "the registry did not answer on 127.0.0.1:${port}; port-forward said:" >&2
cat "$log" >&2
exit 1
