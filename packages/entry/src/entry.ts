/**
 * The entry: an Envoy proxy in front of the first service, the one Service a provider exposes.
 * Its pods are meshed like every pod of the namespace, so a user's request reaches the first
 * service through the mesh, and the routes Flagger writes there (Istio A/B matches and mirroring,
 * Gateway API weights and session affinity) apply to users exactly as to in-mesh callers. On plain
 * Kubernetes the same entry forwards to the service unmeshed.
 *
 * Envoy rather than the mesh's own ingress gateway: one small component that works the same way in
 * every environment and needs nothing installed beside the mesh (the design this app comes from,
 * stefanprodan/gitops-app-distribution, used the same).
 */
import {
  clusterIpService,
  commonLabels,
  disruptionBudget,
  ENVOY_IMAGE,
  ENVOY_VERSION,
  hardenContainer,
  imageRef,
  PODINFO,
  podLabels,
  restrictedPodSecurityContext,
  selectorLabels,
  type EntryComponent,
} from '@canaryship/blocks';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { stringify } from 'yaml';

export const ENTRY = {
  name: 'entry',
  containerPort: 8080,
  servicePort: 80,
  portName: 'http',
  /** Answered by the proxy itself, for its probes: the upstream's health is the upstream's business. */
  healthPath: '/entry/ready',
  /** Envoy's admin interface, on loopback only: nothing outside the pod can reach it. */
  adminPort: 9901,
  configFile: 'envoy.yaml',
  configPath: '/etc/envoy',
  replicas: 2,
  /** Longest a user request may take end to end, downstream calls included. */
  timeout: '15s',
} as const;

/**
 * Envoy's bootstrap: every request to `upstream`'s Service, with its name as the authority. Istio's
 * sidecar routes by that authority (the VirtualService's hosts); Linkerd's proxy by the original
 * destination, the Service's ClusterIP the entry connects to (its HTTPRoutes attach to the Service).
 */
export function envoyConfig(namespace: string, upstream: string): Record<string, unknown> {
  const host = `${upstream}.${namespace}`;
  return {
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: ENTRY.adminPort } } },
    static_resources: {
      listeners: [
        {
          name: 'users',
          address: { socket_address: { address: '0.0.0.0', port_value: ENTRY.containerPort } },
          filter_chains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typed_config: {
                    '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                    stat_prefix: 'users',
                    http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
                    route_config: {
                      name: 'users',
                      virtual_hosts: [
                        {
                          name: 'app',
                          domains: ['*'],
                          routes: [
                            { match: { path: ENTRY.healthPath }, direct_response: { status: 200 } },
                            { match: { prefix: '/' }, route: { cluster: upstream, host_rewrite_literal: host, timeout: ENTRY.timeout } },
                          ],
                        },
                      ],
                    },
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters: [
        {
          name: upstream,
          type: 'STRICT_DNS',
          connect_timeout: '1s',
          load_assignment: {
            cluster_name: upstream,
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: `${upstream}.${namespace}.svc.cluster.local`, port_value: PODINFO.httpPort } } } }] }],
          },
        },
      ],
    },
  };
}

export function edgeProxy(options: { upstream: string }): EntryComponent {
  const { name } = ENTRY;
  const labels = commonLabels(name, 'entry');
  const configMapName = `${name}-envoy`;
  return {
    name,
    upstream: options.upstream,
    port: ENTRY.containerPort,
    objects: (namespace) => {
      const configMap: ConfigMap = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: configMapName, namespace, labels },
        data: { [ENTRY.configFile]: stringify(envoyConfig(namespace, options.upstream), { lineWidth: 0 }) },
      };
      const deployment: Deployment = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace, labels },
        spec: {
          // Not autoscaled and not canaried: a proxy with a fixed configuration, two for availability.
          replicas: ENTRY.replicas,
          revisionHistoryLimit: 5,
          selector: { matchLabels: selectorLabels(name) },
          template: {
            metadata: { labels: podLabels(name, 'entry') },
            spec: {
              automountServiceAccountToken: false,
              securityContext: restrictedPodSecurityContext,
              containers: [
                hardenContainer({
                  name: 'envoy',
                  image: imageRef(ENVOY_IMAGE, ENVOY_VERSION),
                  // No hot restart: it needs shared memory a read-only, unprivileged pod does not give it.
                  args: ['-c', `${ENTRY.configPath}/${ENTRY.configFile}`, '--disable-hot-restart', '--log-level', 'warn'],
                  ports: [{ name: ENTRY.portName, containerPort: ENTRY.containerPort, protocol: 'TCP' }],
                  livenessProbe: { httpGet: { path: ENTRY.healthPath, port: ENTRY.portName }, timeoutSeconds: 5 },
                  readinessProbe: { httpGet: { path: ENTRY.healthPath, port: ENTRY.portName }, timeoutSeconds: 5 },
                  resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '1', memory: '256Mi' } },
                  volumeMounts: [{ name: 'config', mountPath: ENTRY.configPath, readOnly: true }],
                }),
              ],
              volumes: [{ name: 'config', configMap: { name: configMapName } }],
            },
          },
        },
      };
      const service = clusterIpService(name, namespace, labels, { name: ENTRY.portName, port: ENTRY.servicePort });
      return [configMap, deployment, service, disruptionBudget(name, namespace, labels)];
    },
  };
}
