/**
 * What a reader needs when a step fails: Canary status, Flux's objects, recent events and
 * Flagger's log. Each section is independent: one that cannot be read (no Flagger pod on the local
 * control plane, whose Flagger runs beside it) says why and the others still print.
 *
 * It is printed into CI logs, which more people read than the cluster's owners: events come from
 * the namespaces of the app, Flux, Flagger and the mesh only, and whatever looks like a secret
 * (a password, a token, credentials in a URL, a webhook's secret path) is redacted.
 */
import { ENVIRONMENT_PROFILES, FLAGGER_POD_LABELS, FLUX_NAMESPACE, prometheusNamespace, type EnvironmentName } from '@canaryship/blocks';
import type { Cluster } from '../kube/cluster.js';

/** Events of a long run are many: the last ones say what happened at the end. */
const EVENTS_PER_NAMESPACE = 50;

const REDACTED = '[redacted]';

/**
 * Secrets as they show up in events and logs, each replaced while what surrounds it stays readable.
 * Written here: the redaction libraries on npm target structured logs, not kubectl's text.
 */
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  // user:password@ in any URL
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi, `$1${REDACTED}@`],
  // Authorization values
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  // JSON Web Tokens, wherever they stand
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // key=value and key: value pairs whose key says secret
  [/\b([\w.-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|credentials?)[\w.-]*)(["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, `$1$2${REDACTED}`],
  // webhook URLs that are their own secret (Slack, Discord, Teams, Google Chat): keep the host
  [/\b(https:\/\/(?:hooks\.slack\.com|discord(?:app)?\.com\/api\/webhooks|[\w-]+\.webhook\.office\.com|chat\.googleapis\.com))\/\S+/gi, `$1/${REDACTED}`],
];

export const redact = (text: string): string => SECRET_PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);

/** The namespaces whose events say what went wrong with a release: the app's, Flux's, Flagger's, the mesh's. */
export function diagnosedNamespaces(environment: EnvironmentName, namespace: string): string[] {
  const profile = ENVIRONMENT_PROFILES[environment];
  return [...new Set([namespace, FLUX_NAMESPACE, profile.flaggerNamespace, prometheusNamespace(profile), ...profile.meshNamespaces])];
}

export async function diagnose(cluster: Cluster, environment: EnvironmentName, namespace: string): Promise<string> {
  const sections: [string, string[]][] = [
    ['Canaries', ['get', 'canaries', '-n', namespace, '-o', 'wide']],
    ['Flux sources and syncs', ['get', 'ocirepositories.source.toolkit.fluxcd.io,kustomizations.kustomize.toolkit.fluxcd.io', '-n', FLUX_NAMESPACE, '-o', 'wide']],
    ['Deployments', ['get', 'deployments', '-n', namespace, '-o', 'wide']],
    ...diagnosedNamespaces(environment, namespace).map((ns): [string, string[]] => [`Events in ${ns}`, ['get', 'events', '-n', ns, '--sort-by=.metadata.creationTimestamp']]),
    // Flagger's own overlays label its pod, in the namespace of its mesh.
    ['Flagger log', ['logs', '-n', ENVIRONMENT_PROFILES[environment].flaggerNamespace, '-l', Object.entries(FLAGGER_POD_LABELS).map(([k, v]) => `${k}=${v}`).join(','), '--tail=300', '--prefix']],
  ];
  const out: string[] = [];
  for (const [title, args] of sections) {
    const text = await cluster.kubectl(...args).then(
      ({ stdout }) => stdout.trimEnd(),
      (error: Error) => `(not readable: ${error.message})`,
    );
    const lines = text.split('\n');
    // The header, then the last events.
    const shown = title.startsWith('Events') && lines.length > EVENTS_PER_NAMESPACE + 1 ? [lines[0], ...lines.slice(-EVENTS_PER_NAMESPACE)].join('\n') : text;
    out.push(`== ${title}`, redact(shown), '');
  }
  return out.join('\n');
}
