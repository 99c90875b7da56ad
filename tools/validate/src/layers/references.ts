/**
 * Layer 2: the distribution as a graph; every edge must land on an object in the same distribution.
 * Canary → Deployment, HPA, MetricTemplates, webhook Services and the hosts its tests call;
 * HPA → Deployment; Service → pods and their ports; probes and Service ports → container ports;
 * volumes → ConfigMaps; PDB → pods.
 */
import { nameCollisions, selectorMatches, type LabelSelector } from '@canaryship/blocks';
import type { Finding } from '../finding.js';
import type { Distribution, LoadedObject, Manifest } from '../load.js';
import { containersOf, podTemplates, selects } from './workloads.js';

const BUILTIN_METRICS = new Set(['request-success-rate', 'request-duration']);

export function referencesLayer(distribution: Distribution): Finding[] {
  const findings: Finding[] = [];
  const { objects } = distribution;
  const find = (kind: string, namespace: string | undefined, name: string | undefined): LoadedObject | undefined =>
    objects.find((o) => o.object['kind'] === kind && o.object['metadata']?.namespace === namespace && o.object['metadata']?.name === name);
  const report = (from: LoadedObject, path: string, rule: string, message: string): void => {
    findings.push({ layer: 'references', rule, severity: 'error', distribution: distribution.name, file: from.file, object: from.id, path, message });
  };
  const templates = podTemplates(objects);
  const namespaceOf = (o: LoadedObject): string | undefined => o.object['metadata']?.namespace;

  /** Container ports of a workload, by name and number. */
  const portsOf = (workload: LoadedObject): Manifest[] =>
    templates.filter((t) => t.owner === workload).flatMap((t) => containersOf(t).flatMap(({ container }) => (container['ports'] ?? []) as Manifest[]));

  for (const owner of objects) {
    const { object } = owner;
    const ns = namespaceOf(owner);
    switch (object['kind']) {
      case 'Canary': {
        const spec = object['spec'] ?? {};
        const target = find(spec.targetRef?.kind, ns, spec.targetRef?.name);
        if (!target) report(owner, 'spec.targetRef', 'references.canary-target', `${spec.targetRef?.kind}/${spec.targetRef?.name} is not in this distribution`);
        if (spec.autoscalerRef) {
          const hpa = find(spec.autoscalerRef.kind, ns, spec.autoscalerRef.name);
          if (!hpa) report(owner, 'spec.autoscalerRef', 'references.canary-autoscaler', `${spec.autoscalerRef.kind}/${spec.autoscalerRef.name} is not in this distribution`);
          else if (hpa.object['spec']?.scaleTargetRef?.name !== spec.targetRef?.name) {
            report(owner, 'spec.autoscalerRef', 'references.canary-autoscaler', `HPA ${spec.autoscalerRef.name} scales ${hpa.object['spec']?.scaleTargetRef?.name}, not the canary target ${spec.targetRef?.name}`);
          }
        }
        if (target) {
          const ports = portsOf(target);
          const port = spec.service?.targetPort ?? spec.service?.port;
          const match = ports.find((p) => p['name'] === port || p['containerPort'] === port);
          if (!match) report(owner, 'spec.service.targetPort', 'references.canary-port', `${String(port)} is not a container port of ${target.id}`);
        }
        ((spec.analysis?.metrics ?? []) as Manifest[]).forEach((metric, i) => {
          if (metric['templateRef']) {
            const templateNs = metric['templateRef'].namespace ?? ns;
            if (!find('MetricTemplate', templateNs, metric['templateRef'].name)) {
              report(owner, `spec.analysis.metrics[${i}].templateRef`, 'references.metric-template', `MetricTemplate ${templateNs}/${metric['templateRef'].name} is not in this distribution`);
            }
          } else if (!BUILTIN_METRICS.has(metric['name'])) {
            report(owner, `spec.analysis.metrics[${i}].name`, 'references.metric-builtin', `"${metric['name']}" is neither a Flagger builtin (${[...BUILTIN_METRICS].join(', ')}) nor a templateRef`);
          }
        });
        const serviceName = spec.service?.name ?? spec.targetRef?.name;
        const ownHosts = new Set([`${serviceName}.${ns}`, `${serviceName}-canary.${ns}`, `${serviceName}-primary.${ns}`]);
        ((spec.analysis?.webhooks ?? []) as Manifest[]).forEach((webhook, i) => {
          const path = `spec.analysis.webhooks[${i}]`;
          checkServiceUrl(webhook['url'], `${path}.url`, owner, 'references.webhook-service');
          const cmd = String(webhook['metadata']?.cmd ?? '');
          for (const match of cmd.matchAll(/https?:\/\/([a-z0-9-]+)\.([a-z0-9-]+)(?:\.svc(?:\.cluster\.local)?)?(?::\d+)?/g)) {
            if (!ownHosts.has(`${match[1]}.${match[2]}`)) {
              report(owner, `${path}.metadata.cmd`, 'references.webhook-target', `calls ${match[1]}.${match[2]}, which is not this canary's service (${[...ownHosts].join(', ')})`);
            }
          }
        });
        break;
      }
      case 'HorizontalPodAutoscaler': {
        const ref = object['spec']?.scaleTargetRef;
        if (!find(ref?.kind, ns, ref?.name)) report(owner, 'spec.scaleTargetRef', 'references.hpa-target', `${ref?.kind}/${ref?.name} is not in this distribution`);
        break;
      }
      case 'Service': {
        const selector = object['spec']?.selector as Record<string, string> | undefined;
        const pods = templates.filter((t) => namespaceOf(t.owner) === ns && selects(selector, t.labels));
        if (pods.length === 0) {
          report(owner, 'spec.selector', 'references.service-selector', `selects no pod template in this distribution (${JSON.stringify(selector ?? {})})`);
          break;
        }
        ((object['spec']?.ports ?? []) as Manifest[]).forEach((port, i) => {
          const target = port['targetPort'] ?? port['port'];
          const served = pods.every((t) => portsOf(t.owner).some((p) => p['name'] === target || p['containerPort'] === target));
          if (!served) report(owner, `spec.ports[${i}].targetPort`, 'references.service-port', `${String(target)} is not a container port of every selected pod`);
        });
        break;
      }
      case 'NetworkPolicy': {
        const selector = object['spec']?.podSelector as LabelSelector | undefined;
        const empty = !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
        if (!empty && !templates.some((t) => namespaceOf(t.owner) === ns && selectorMatches(selector, t.labels))) {
          report(owner, 'spec.podSelector', 'references.networkpolicy-selector', 'selects no pod template in this distribution');
        }
        break;
      }
      case 'PodDisruptionBudget': {
        const selector = object['spec']?.selector?.matchLabels as Record<string, string> | undefined;
        if (!templates.some((t) => namespaceOf(t.owner) === ns && selects(selector, t.labels))) {
          report(owner, 'spec.selector', 'references.pdb-selector', 'selects no pod template in this distribution');
        }
        break;
      }
    }
  }

  for (const template of templates) {
    const { owner } = template;
    const ns = namespaceOf(owner);
    const selector = owner.object['spec']?.selector?.matchLabels as Record<string, string> | undefined;
    if (selector && !selects(selector, template.labels)) {
      report(owner, `${template.path}.metadata.labels`, 'references.workload-selector', 'pod template labels do not match spec.selector');
    }
    ((template.spec['volumes'] ?? []) as Manifest[]).forEach((volume, i) => {
      const name = volume['configMap']?.name;
      if (name && !volume['configMap'].optional && !find('ConfigMap', ns, name)) {
        report(owner, `${template.path}.spec.volumes[${i}].configMap.name`, 'references.volume-configmap', `ConfigMap ${name} is not in this distribution`);
      }
    });
    const volumeNames = new Set(((template.spec['volumes'] ?? []) as Manifest[]).map((v) => v['name']));
    for (const { container, path } of containersOf(template)) {
      const portNames = new Set(((container['ports'] ?? []) as Manifest[]).map((p) => p['name']).filter(Boolean));
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        const port = container[probe]?.httpGet?.port ?? container[probe]?.tcpSocket?.port;
        if (typeof port === 'string' && !portNames.has(port)) {
          report(owner, `${path}.${probe}`, 'references.probe-port', `port "${port}" is not a named port of container ${container['name']}`);
        }
      }
      ((container['volumeMounts'] ?? []) as Manifest[]).forEach((mount, i) => {
        if (!volumeNames.has(mount['name'])) report(owner, `${path}.volumeMounts[${i}].name`, 'references.volume-mount', `no volume named ${mount['name']}`);
      });
    }
  }
  // One name claimed twice, counting what Flagger creates for every Canary: one would overwrite the other.
  for (const collision of nameCollisions(objects.map((o) => o.object))) {
    const shipped = objects.find((o) => o.object['kind'] === collision.object.kind && o.object['metadata']?.name === collision.object.name);
    const canary = objects.find((o) => collision.claimedBy.includes(`Flagger, for Canary/${o.object['metadata']?.name}`) && o.object['kind'] === 'Canary');
    const from = shipped ?? canary;
    if (from) report(from, 'metadata.name', 'references.name-collision', `${collision.object.kind}/${collision.object.name} is claimed twice (${collision.claimedBy.join('; ')})`);
  }
  return findings;

  function checkServiceUrl(url: unknown, path: string, from: LoadedObject, rule: string): void {
    let parsed: URL;
    try {
      parsed = new URL(String(url));
    } catch {
      report(from, path, rule, `"${String(url)}" is not a URL`);
      return;
    }
    const [name, namespace] = parsed.hostname.split('.');
    const service = find('Service', namespace, name);
    if (!service) {
      report(from, path, rule, `${parsed.hostname} is not a Service in this distribution`);
      return;
    }
    const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
    if (!((service.object['spec']?.ports ?? []) as Manifest[]).some((p) => p['port'] === port)) {
      report(from, path, rule, `Service ${name} has no port ${port}`);
    }
  }
}
