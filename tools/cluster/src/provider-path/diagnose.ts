/**
 * What a reader needs when a step fails: Canary status, Flux's objects, recent events and
 * Flagger's log. Each section is independent: one that cannot be read (no Flagger pod on the local
 * control plane, whose Flagger runs beside it) says why and the others still print.
 */
import { ENVIRONMENT_PROFILES, FLAGGER_POD_LABELS, FLUX_NAMESPACE, type EnvironmentName } from '@canaryship/blocks';
import type { Cluster } from '../cluster.js';

export async function diagnose(cluster: Cluster, environment: EnvironmentName, namespace: string): Promise<string> {
  const sections: [string, string[]][] = [
    ['Canaries', ['get', 'canaries', '-n', namespace, '-o', 'wide']],
    ['Flux sources and syncs', ['get', 'ocirepositories.source.toolkit.fluxcd.io,kustomizations.kustomize.toolkit.fluxcd.io', '-n', FLUX_NAMESPACE, '-o', 'wide']],
    ['Deployments', ['get', 'deployments', '-n', namespace, '-o', 'wide']],
    ['Events', ['get', 'events', '-A', '--sort-by=.metadata.creationTimestamp']],
    // Flagger's own overlays label its pod, in the namespace of its mesh.
    ['Flagger log', ['logs', '-n', ENVIRONMENT_PROFILES[environment].flaggerNamespace, '-l', Object.entries(FLAGGER_POD_LABELS).map(([k, v]) => `${k}=${v}`).join(','), '--tail=300', '--prefix']],
  ];
  const out: string[] = [];
  for (const [title, args] of sections) {
    const text = await cluster.kubectl(...args).then(
      ({ stdout }) => stdout.trimEnd(),
      (error: Error) => `(not readable: ${error.message})`,
    );
    // Events of a long run are many: the last 100 say what happened at the end.
    out.push(`== ${title}`, title === 'Events' ? text.split('\n').slice(-100).join('\n') : text, '');
  }
  return out.join('\n');
}
