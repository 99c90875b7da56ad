/**
 * The bad-input corpus: each broken rendered object is caught by its layer with its own rule id,
 * at its field path, and `canaryship validate` exits 1.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@canaryship/cli';
import type { Finding } from '@canaryship/validate';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument, stringify } from 'yaml';
import { DEFINITIONS, distDir, pickService, type Env, type Obj } from '../support/distribution.js';
import { documentedCount } from '../support/docs.js';

const scratch = mkdtempSync(join(tmpdir(), 'canaryship-corpus-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Case {
  readonly name: string;
  readonly env: Env;
  readonly file: string;
  readonly mutate: (object: Obj, dir: string) => void;
  readonly rule: string;
  readonly path?: string;
}

const container = (o: Obj): Obj => o.spec.template.spec.containers[0];
const webhooks = (o: Obj): Obj[] => o.spec.analysis.webhooks;
/**
 * The app's `n`th service in `env`, in name order and counting round: cases name no service, so they
 * hold for any app. Each n is the demo's service the case was written for (0 backend, 1 cache, 2 database, 3 frontend).
 */
const service = (env: Env, n: number): string => pickService(DEFINITIONS[env], n).input.name;

const CASES: Case[] = [
  // schema
  { name: 'a string where an integer belongs', env: 'kubernetes', file: `${service('kubernetes', 0)}/deployment.yaml`, mutate: (o) => void (o.spec.revisionHistoryLimit = 'five'), rule: 'schema.type', path: 'spec.revisionHistoryLimit' },
  { name: 'an unknown container field', env: 'istio', file: `${service('istio', 1)}/deployment.yaml`, mutate: (o) => void (container(o).imagePullPolicyy = 'Always'), rule: 'schema.unknown-field', path: 'spec.template.spec.containers[0].imagePullPolicyy' },
  { name: 'an unknown Canary field (CRD)', env: 'linkerd', file: `${service('linkerd', 0)}/canary.yaml`, mutate: (o) => void (o.spec.analysis.stepweight = 5), rule: 'schema.unknown-field', path: 'spec.analysis.stepweight' },
  // Whichever of the two its strategy leaves unset, so any service's Canary ends up with both.
  { name: 'two of iterations / stepWeight', env: 'istio', file: `${service('istio', 0)}/canary.yaml`, mutate: (o) => void (o.spec.analysis[o.spec.analysis.iterations === undefined ? 'iterations' : 'stepWeight'] = 5), rule: 'schema.one-of', path: 'spec.analysis' },
  { name: 'a Canary without service.port', env: 'kubernetes', file: `${service('kubernetes', 1)}/canary.yaml`, mutate: (o) => void delete o.spec.service.port, rule: 'schema.required', path: 'spec.service.port' },
  { name: 'an interval Flagger cannot parse', env: 'istio', file: `${service('istio', 2)}/canary.yaml`, mutate: (o) => void (o.spec.analysis.interval = '1h'), rule: 'schema.pattern', path: 'spec.analysis.interval' },
  { name: 'a misspelt webhook type', env: 'linkerd', file: `${service('linkerd', 3)}/canary.yaml`, mutate: (o) => void (webhooks(o)[0]!.type = 'pre-rolout'), rule: 'schema.enum', path: 'spec.analysis.webhooks[0].type' },
  { name: 'an unknown metadata field on a custom resource', env: 'kubernetes', file: 'slo/error-rate.yaml', mutate: (o) => void (o.metadata.label = { a: 'b' }), rule: 'schema.unknown-field', path: 'metadata.label' },
  { name: 'a Flagger API version no longer served', env: 'istio', file: `${service('istio', 1)}/canary.yaml`, mutate: (o) => void (o.apiVersion = 'flagger.app/v1alpha3'), rule: 'schema.unknown-kind' },
  { name: 'a replica count beyond int32', env: 'linkerd', file: `${service('linkerd', 1)}/hpa.yaml`, mutate: (o) => void (o.spec.maxReplicas = 3_000_000_000), rule: 'schema.int32', path: 'spec.maxReplicas' },
  { name: 'a field beyond int32 on a Deployment', env: 'istio', file: `${service('istio', 0)}/deployment.yaml`, mutate: (o) => void (o.spec.minReadySeconds = 2 ** 31), rule: 'schema.int32', path: 'spec.minReadySeconds' },
  { name: 'annotations beyond 256 KiB', env: 'kubernetes', file: `${service('kubernetes', 3)}/deployment.yaml`, mutate: (o) => void (o.metadata.annotations['canaryship.dev/description'] = 'x'.repeat(300_000)), rule: 'schema.annotations-size', path: 'metadata.annotations' },
  { name: 'a ConfigMap beyond 1 MiB', env: 'istio', file: `${service('istio', 2)}/configmap.yaml`, mutate: (o) => void (o.data['config.yaml'] = `# ${'x'.repeat(1_100_000)}\n`), rule: 'schema.configmap-size', path: 'data' },
  { name: 'a label value longer than 63', env: 'linkerd', file: `${service('linkerd', 0)}/pdb.yaml`, mutate: (o) => void (o.metadata.labels['app.kubernetes.io/name'] = 'b'.repeat(64)), rule: 'schema.label', path: 'metadata.labels["app.kubernetes.io/name"]' },
  { name: 'a name the API server refuses', env: 'kubernetes', file: `${service('kubernetes', 1)}/pdb.yaml`, mutate: (o) => void (o.metadata.name = `${o.metadata.name}_PDB`), rule: 'schema.name', path: 'metadata.name' },
  // references
  { name: 'a Canary targeting a missing Deployment', env: 'istio', file: `${service('istio', 3)}/canary.yaml`, mutate: (o) => void (o.spec.targetRef.name = `${o.spec.targetRef.name}-typo`), rule: 'references.canary-target', path: 'spec.targetRef' },
  { name: 'a Canary with a dangling autoscalerRef', env: 'kubernetes', file: `${service('kubernetes', 0)}/canary.yaml`, mutate: (o) => void (o.spec.autoscalerRef.name = `${o.spec.autoscalerRef.name}-hpa`), rule: 'references.canary-autoscaler', path: 'spec.autoscalerRef' },
  { name: 'a metric naming a missing MetricTemplate', env: 'linkerd', file: `${service('linkerd', 1)}/canary.yaml`, mutate: (o) => void (o.spec.analysis.metrics[1].templateRef.name = 'eror-rate'), rule: 'references.metric-template', path: 'spec.analysis.metrics[1].templateRef' },
  { name: 'a webhook to a Service not in the distribution', env: 'istio', file: `${service('istio', 0)}/canary.yaml`, mutate: (o) => void (webhooks(o)[0]!.url = 'http://loadtester.webapp/'), rule: 'references.webhook-service', path: 'spec.analysis.webhooks[0].url' },
  {
    name: 'a conformance test calling another service',
    env: 'kubernetes',
    file: `${service('kubernetes', 1)}/canary.yaml`,
    mutate: (o) => {
      // Any service but the Canary's own (the demo's database).
      const other = pickService(DEFINITIONS.kubernetes, 1, { what: 'second service', test: ({ input }) => input.name !== o.metadata.name }).input.name;
      webhooks(o)[0]!.metadata.cmd = `curl -f http://${other}-canary.webapp:9898/readyz`;
    },
    rule: 'references.webhook-target',
    path: 'spec.analysis.webhooks[0].metadata.cmd',
  },
  { name: 'a Service selecting no pods', env: 'linkerd', file: 'loadtester/service.yaml', mutate: (o) => void (o.spec.selector = { app: 'loadtester' }), rule: 'references.service-selector', path: 'spec.selector' },
  { name: 'a probe on a port the container does not name', env: 'istio', file: `${service('istio', 3)}/deployment.yaml`, mutate: (o) => void (container(o).readinessProbe.httpGet.port = 'web'), rule: 'references.probe-port', path: 'spec.template.spec.containers[0].readinessProbe' },
  { name: 'a volume from a missing ConfigMap', env: 'kubernetes', file: `${service('kubernetes', 2)}/deployment.yaml`, mutate: (o) => void (o.spec.template.spec.volumes[0].configMap.name = `${o.metadata.name}-settings`), rule: 'references.volume-configmap', path: 'spec.template.spec.volumes[0].configMap.name' },
  { name: 'a Canary port the target does not serve', env: 'istio', file: `${service('istio', 1)}/canary.yaml`, mutate: (o) => void (o.spec.service.targetPort = 8080), rule: 'references.canary-port', path: 'spec.service.targetPort' },
  {
    name: 'a shipped object named like one Flagger generates',
    env: 'linkerd',
    file: 'loadtester/service.yaml',
    mutate: (o) => void (o.metadata.name = `${service('linkerd', 1)}-canary`),
    rule: 'references.name-collision',
    path: 'metadata.name',
  },
  // policy
  { name: 'a privileged container', env: 'kubernetes', file: `${service('kubernetes', 3)}/deployment.yaml`, mutate: (o) => void (container(o).securityContext.privileged = true), rule: 'policy.pod-security', path: 'spec.template.spec.containers[0].securityContext.privileged' },
  { name: 'privilege escalation allowed', env: 'istio', file: `${service('istio', 0)}/deployment.yaml`, mutate: (o) => void (container(o).securityContext.allowPrivilegeEscalation = true), rule: 'policy.pod-security', path: 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation' },
  { name: 'an added capability', env: 'linkerd', file: `${service('linkerd', 1)}/deployment.yaml`, mutate: (o) => void (container(o).securityContext.capabilities.add = ['NET_ADMIN']), rule: 'policy.pod-security', path: 'spec.template.spec.containers[0].securityContext.capabilities.add' },
  { name: 'a hostPath volume', env: 'kubernetes', file: `${service('kubernetes', 1)}/deployment.yaml`, mutate: (o) => void (o.spec.template.spec.volumes[1] = { name: 'data', hostPath: { path: '/var/data' } }), rule: 'policy.pod-security', path: 'spec.template.spec.volumes[1].hostPath' },
  { name: 'a writable root filesystem', env: 'istio', file: 'loadtester/deployment.yaml', mutate: (o) => void (container(o).securityContext.readOnlyRootFilesystem = false), rule: 'policy.read-only-root', path: 'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem' },
  { name: 'no memory limit', env: 'linkerd', file: `${service('linkerd', 3)}/deployment.yaml`, mutate: (o) => void delete container(o).resources.limits.memory, rule: 'policy.resources', path: 'spec.template.spec.containers[0].resources.limits.memory' },
  { name: 'no readiness probe', env: 'kubernetes', file: `${service('kubernetes', 0)}/deployment.yaml`, mutate: (o) => void delete container(o).readinessProbe, rule: 'policy.probes', path: 'spec.template.spec.containers[0].readinessProbe' },
  { name: 'an image on latest', env: 'istio', file: `${service('istio', 2)}/deployment.yaml`, mutate: (o) => void (container(o).image = 'ghcr.io/stefanprodan/podinfo:latest'), rule: 'policy.image-pinned', path: 'spec.template.spec.containers[0].image' },
  { name: 'replicas under an HPA', env: 'linkerd', file: `${service('linkerd', 2)}/deployment.yaml`, mutate: (o) => void (o.spec.replicas = 3), rule: 'policy.replicas-under-hpa', path: 'spec.replicas' },
  { name: 'a removed autoscaling API', env: 'kubernetes', file: `${service('kubernetes', 3)}/hpa.yaml`, mutate: (o) => void (o.apiVersion = 'autoscaling/v2beta2'), rule: 'policy.removed-api', path: 'apiVersion' },
  { name: 'a missing recommended label', env: 'istio', file: `${service('istio', 3)}/pdb.yaml`, mutate: (o) => void delete o.metadata.labels['app.kubernetes.io/part-of'], rule: 'policy.recommended-labels', path: 'metadata.labels["app.kubernetes.io/part-of"]' },
  {
    name: 'a Secret shipped in the distribution',
    env: 'kubernetes',
    file: 'kustomization.yaml',
    mutate: (o, dir) => {
      writeFileSync(join(dir, 'secret.yaml'), stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'webapp', labels: { 'app.kubernetes.io/part-of': 'webapp', 'app.kubernetes.io/managed-by': 'canaryship' } }, stringData: { password: 'hunter2' } }));
      o.resources.push('secret.yaml');
    },
    rule: 'policy.no-secrets',
  },
  // kustomize
  // (A kustomization with fields render never writes is refused before any layer: test/validate/closed-world.test.ts.)
  { name: 'an object kustomize leaves out (marked local-config)', env: 'linkerd', file: `${service('linkerd', 0)}/configmap.yaml`, mutate: (o) => void (o.metadata.annotations = { ...o.metadata.annotations, 'config.kubernetes.io/local-config': 'true' }), rule: 'kustomize.missing-object' },
  { name: 'a kustomization kustomize cannot build (one file listed twice)', env: 'istio', file: 'kustomization.yaml', mutate: (o) => void o.resources.push(`${service('istio', 0)}/configmap.yaml`), rule: 'kustomize.build-failed' },
  // SLO queries
  { name: 'a PromQL typo', env: 'istio', file: 'slo/average-response-time.yaml', mutate: (o) => void (o.spec.query = o.spec.query.replace('/\n', '/ (\n')), rule: 'slo.promql-syntax', path: 'spec.query' },
  { name: 'an error rate that only counts failures', env: 'linkerd', file: 'slo/error-rate.yaml', mutate: (o) => void (o.spec.query = o.spec.query.replace('status_code=~"4.."', 'status_code=~"5.."')), rule: 'slo.query-value', path: 'spec.analysis.metrics[1]' },
  { name: 'a Linkerd success rate blind to streams that failed without a status', env: 'linkerd', file: 'slo/success-rate.yaml', mutate: (o) => void (o.spec.query = o.spec.query.replace('classification="failure"', 'status_code=~"5.."')), rule: 'slo.query-value', path: 'spec.analysis.metrics[0]' },
  { name: 'an outbound check that compares the canary with itself', env: 'istio', file: 'slo/outbound-success-rate.yaml', mutate: (o) => void (o.spec.query = o.spec.query.replace('{{ target }}-primary', '{{ target }}')), rule: 'slo.query-value', path: 'spec.analysis.metrics[4]' },
  { name: 'an average in seconds where ms are meant', env: 'kubernetes', file: 'slo/average-response-time.yaml', mutate: (o) => void (o.spec.query = o.spec.query.replace(/^1000 \* /, '')), rule: 'slo.query-value', path: 'spec.analysis.metrics[2]' },
  { name: 'an error rate that passes without traffic', env: 'istio', file: 'slo/error-rate.yaml', mutate: (o) => void (o.spec.query = `${o.spec.query} or on() vector(0)`), rule: 'slo.query-value', path: 'spec.analysis.metrics[1]' },
  { name: 'a p99 that reads the primary', env: 'linkerd', file: 'slo/p99-response-time.yaml', mutate: (o) => void (o.spec.query = o.spec.query.replace('deployment="{{ target }}"', 'deployment="{{ target }}-primary"')), rule: 'slo.query-value', path: 'spec.analysis.metrics[3]' },
  { name: 'an outbound allowance ten times too wide', env: 'istio', file: 'slo/outbound-success-rate.yaml', mutate: (o) => void (o.spec.query = o.spec.query.replace('3 * sqrt(', '30 * sqrt(')), rule: 'slo.query-value', path: 'spec.analysis.metrics[4]' },
  { name: 'an outbound check with no allowance for noise', env: 'linkerd', file: 'slo/outbound-success-rate.yaml', mutate: (o) => void (o.spec.query = o.spec.query.replace('3 * sqrt(', '0 * sqrt(')), rule: 'slo.query-value', path: 'spec.analysis.metrics[4]' },
  { name: 'an error-rate bound no release can meet', env: 'istio', file: `${service('istio', 0)}/canary.yaml`, mutate: (o) => void (o.spec.analysis.metrics[1].thresholdRange = { max: -5 }), rule: 'slo.threshold-useless', path: 'spec.analysis.metrics[1].thresholdRange' },
  { name: 'a success-rate bound every release meets', env: 'linkerd', file: `${service('linkerd', 3)}/canary.yaml`, mutate: (o) => void (o.spec.analysis.metrics[0].thresholdRange = { min: 0 }), rule: 'slo.threshold-useless', path: 'spec.analysis.metrics[0].thresholdRange' },
  { name: 'a template variable Flagger does not set', env: 'kubernetes', file: 'slo/error-rate.yaml', mutate: (o) => void (o.spec.query = o.spec.query.replace('{{ target }}', '{{ deployment }}')), rule: 'slo.template-variable' },
];

function brokenCopy(c: Case, index: number): string {
  const dir = join(scratch, `case-${index}`);
  cpSync(distDir(c.env), dir, { recursive: true });
  const path = join(dir, c.file);
  const object = parseDocument(readFileSync(path, 'utf8')).toJS() as Obj;
  c.mutate(object, dir);
  writeFileSync(path, stringify(object));
  return dir;
}

describe('validate catches every corpus case', () => {
  it('has at least 45 cases across all five layers', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(45);
    expect(new Set(CASES.map((c) => c.rule.split('.')[0]))).toEqual(new Set(['schema', 'references', 'policy', 'kustomize', 'slo']));
    expect(documentedCount('broken rendered objects')).toBe(CASES.length);
  });

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, index) => {
    const dir = brokenCopy(c, index);
    const out: string[] = [];
    const code = await main(['validate', dir, '--json'], { cwd: scratch, stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => undefined } });
    const { findings } = JSON.parse(out.join('')) as { findings: Finding[] };
    expect(code).toBe(1);
    const hits = findings.filter((f) => f.rule === c.rule && f.severity === 'error');
    expect(hits.length, JSON.stringify(findings, null, 1)).toBeGreaterThan(0);
    if (c.path !== undefined) expect(hits.map((f) => f.path)).toContain(c.path);
    // A broken query is reported where it is used, and nowhere else.
    if (c.rule === 'slo.query-value') expect(new Set(findings.filter((f) => f.layer === 'slo-queries').map((f) => f.path))).toEqual(new Set([c.path]));
  });

  it('passes the distributions we ship, all layers, no warnings', async () => {
    const out: string[] = [];
    const dirs = (['kubernetes', 'istio', 'linkerd'] as const).map(distDir);
    const code = await main(['validate', ...dirs, '--json'], { cwd: scratch, stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => undefined } });
    expect(JSON.parse(out.join('')).findings).toEqual([]);
    expect(code).toBe(0);
  });
});
