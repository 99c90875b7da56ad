/**
 * The chain check: an echo posted to the canary must come back from the end of every call path
 * below it (podinfo answers 200 whatever its downstreams do and writes their failures into the
 * body, so only the body tells). A release is judged against its primary: when the primary's echo
 * fails the same way, a dependency is broken for both, which is not this release's doing, and the
 * check lets the release be judged by its own SLOs instead of stopping it.
 */
import { PODINFO } from '../podinfo.js';
import { serviceUrl } from '../workload/service-objects.js';
import { curl } from './curl.js';
import { command } from './shell.js';

/** What the echo carries: a word that survives podinfo's JSON nesting unescaped. */
export const chainMarker = (service: string): string => `canaryship-chain-${service}`;

/** The bash that fails (exit 1, naming the service and showing the answer) when the canary's chain is broken and the primary's is not. */
export function chainScript(service: string, namespace: string, answers: number, name: string): string {
  const marker = chainMarker(service);
  const echo = (host: string): string => curl({ method: 'POST', url: serviceUrl(host, namespace, PODINFO.echoPath), body: JSON.stringify({ canaryship: marker }), keepBody: true });
  const answered = (variable: string): string => `"$(printf '%s' "$${variable}" | grep -o ${command(marker)} | wc -l)"`;
  return [
    // A failed curl leaves the answer empty; the count below tells either way.
    `canary=$(${echo(`${service}-canary`)}) || true`,
    `if test ${answered('canary')} -eq ${answers}; then exit 0; fi`,
    `primary=$(${echo(`${service}-primary`)}) || true`,
    `if test ${answered('primary')} -ne ${answers}; then ${command('printf', '%s\\n', `${name}: the primary's chain fails too, so a dependency is broken, not this release`)} >&2; exit 0; fi`,
    `${command('printf', '%s: %s\\n', `conformance check failed: ${name}`)} "$canary" >&2`,
    'exit 1',
  ].join('\n');
}
