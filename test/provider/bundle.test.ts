/**
 * What a provider receives besides the distribution: the bundle that subscribes a cluster with
 * Flux, valid against the Flux controllers' own CRDs, and every customisation example built with
 * real kustomize against every distribution, as Flux's kustomize-controller would apply it, then
 * validated like a distribution we ship.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compatibleRange,
  composeDistribution,
  customisationExamples,
  customisationPatches,
  DistributionError,
  providerBundle,
  renderDistribution,
  renderProviderBundle,
  type Customisation,
  type FluxPatch,
  type RenderedFile,
} from '@canaryship/blocks';
import { main } from '@canaryship/cli';
import { moduleDir } from '@canaryship/toolchain';
import { createSchemaRegistry, flaggerCrdFile, kubernetesOpenApiDir, kustomizeBuild, validateDistribution, type Finding, type SchemaRegistry } from '@canaryship/validate';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { DEFINITIONS, ENVIRONMENT_NAMES, ROOT, unusedName, type Env, type Obj } from '../support/distribution.js';
import { componentsOf, writeSubscription } from '../support/subscription.js';

const scratch = mkdtempSync(join(tmpdir(), 'canaryship-provider-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let schemas: SchemaRegistry;
beforeAll(async () => {
  const crds = [
    join(await moduleDir('fluxSource'), 'config/crd/bases/source.toolkit.fluxcd.io_ocirepositories.yaml'),
    join(await moduleDir('fluxKustomize'), 'config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml'),
    await flaggerCrdFile(),
  ];
  schemas = createSchemaRegistry({ openApiDir: await kubernetesOpenApiDir(), crdFiles: crds });
});

const errorsOf = (findings: readonly Finding[]): string[] => findings.filter((f) => f.severity === 'error').map((f) => `${f.object} ${f.path ?? ''}: ${f.rule} ${f.message}`);

const parse = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJS() as Obj);

/** The app as Flux's kustomize-controller builds it with `patches`: the distribution, then the patches, by kustomize v5. */
async function buildWith(env: Env, patches: readonly FluxPatch[], name: string, targetNamespace?: string): Promise<Obj[]> {
  const dir = join(scratch, `${env}-${name}`);
  for (const file of renderDistribution(composeDistribution(DEFINITIONS[env]))) {
    mkdirSync(join(dir, 'base', file.path, '..'), { recursive: true });
    writeFileSync(join(dir, 'base', file.path), file.content);
  }
  // Flux's targetNamespace is kustomize's namespace in the kustomization kustomize-controller writes.
  writeFileSync(join(dir, 'kustomization.yaml'), stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['base'], ...(targetNamespace && { namespace: targetNamespace }), patches }));
  return (await kustomizeBuild(dir)) as Obj[];
}

/**
 * A provider's own overlay as the bundle's guide shows it: the bundle in `subscription/`, and the
 * customisations it lists as components, built by kustomize v5 (as `kubectl apply -k` does).
 */
const providerOverlay = async (files: readonly RenderedFile[], components: readonly string[], name: string): Promise<Obj[]> =>
  (await kustomizeBuild(writeSubscription(join(scratch, `overlay-${name}`), files, components))) as Obj[];

/** The patches the app's Flux Kustomization carries in a built overlay. */
const appPatches = (overlay: readonly Obj[]): FluxPatch[] => find(overlay, 'Kustomization', 'webapp').spec.patches as FluxPatch[];

/** In-process validation layers over built objects, with the Flux and Flagger CRDs. */
const validateObjects = async (env: Env, objects: readonly Obj[]): Promise<string[]> =>
  errorsOf(
    await validateDistribution(
      { name: env, dir: scratch, objects: objects.map((object) => ({ file: 'kustomize build', object, id: `${object.kind}/${object.metadata?.namespace ?? ''}/${object.metadata?.name}` })) },
      { layers: ['schema', 'references', 'policy'], schemas },
    ),
  );

const find = (objects: readonly Obj[], kind: string, name: string): Obj => {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};

describe('the subscription range', () => {
  it.each([
    ['1.0.0', '>=1.0.0 <2.0.0', ['1.0.0', '1.1.0', '1.9.12'], ['0.9.0', '2.0.0', '2.0.0-rc.1']],
    ['3.4.5', '>=3.0.0 <4.0.0', ['3.0.0', '3.4.6'], ['4.0.0', '2.9.9']],
    ['0.3.1', '>=0.3.0 <0.4.0', ['0.3.0', '0.3.9'], ['0.4.0', '1.0.0']],
  ])('%s follows %s: minor and patch releases arrive, a major does not', (version, range, followed, refused) => {
    expect(compatibleRange(version)).toBe(range);
    for (const v of followed) expect(semver.satisfies(v, range), v).toBe(true);
    for (const v of refused) expect(semver.satisfies(v, range), v).toBe(false);
  });
});

describe.each(ENVIRONMENT_NAMES)('%s: the provider bundle', (env) => {
  const files = renderProviderBundle(DEFINITIONS[env], { repository: 'ghcr.io/acme/webapp/' + env, version: '1.4.2' }, DEFINITIONS[env].entry.upstream);
  const objectsOf = (prefix: string): Obj[] => files.filter((f) => f.path.startsWith(prefix)).flatMap((f) => parse(f.content));

  const examples = componentsOf(files);

  it('is valid against the Flux controllers\' CRDs, with every example listed as a component', async () => {
    const all = [...(await providerOverlay(files, examples, `${env}-every-example`)), ...objectsOf('customise/notifications/beside-the-app.yaml')];
    expect(all.map((o) => o.kind).sort()).toEqual(['AlertProvider', 'Kustomization', 'Kustomization', 'OCIRepository', 'OCIRepository']);
    for (const object of all) {
      const validate = await schemas.validator(object.apiVersion, object.kind);
      expect(validate, `${object.kind}`).toBeDefined();
      expect(validate!(object) ? [] : validate!.errors, `${object.kind} ${object.metadata.name}`).toEqual([]);
    }
  });

  it('installs Flagger for the environment first, then follows the app within its major version', () => {
    const [flaggerSource, appSource] = [find(objectsOf('sources/'), 'OCIRepository', 'flagger'), find(objectsOf('sources/'), 'OCIRepository', 'webapp')];
    const [flagger, app] = [find(objectsOf('sync/'), 'Kustomization', 'flagger'), find(objectsOf('sync/'), 'Kustomization', 'webapp')];
    expect(flaggerSource.spec).toMatchObject({ url: 'oci://ghcr.io/fluxcd/flagger-manifests', ref: { semver: '1.44.0' }, verify: { provider: 'cosign' } });
    expect(flagger.spec).toMatchObject({ path: `./${env}`, wait: true, sourceRef: { name: 'flagger' } });
    expect(appSource.spec).toMatchObject({ url: `oci://ghcr.io/acme/webapp/${env}`, ref: { semver: '>=1.0.0 <2.0.0' } });
    expect(appSource.spec.insecure).toBeUndefined();
    expect(app.spec).toMatchObject({ path: './', prune: true, dependsOn: [{ name: 'flagger' }], sourceRef: { kind: 'OCIRepository', name: 'webapp' } });
  });

  it('applies only the four Flux objects; the examples are beside them', () => {
    const [kustomization] = parse(files.find((f) => f.path === 'kustomization.yaml')!.content);
    expect(kustomization!.resources).toEqual(['sources/flagger.yaml', 'sources/webapp.yaml', 'sync/flagger.yaml', 'sync/webapp.yaml']);
    expect(examples).toEqual(['analysis', 'autoscaling', 'hold', 'manual-approval', 'namespace', 'notifications', 'resources', 'slo-threshold']);
    for (const name of examples) expect(parse(files.find((f) => f.path === `customise/${name}/kustomization.yaml`)!.content)[0]).toMatchObject({ kind: 'Component' });
    // Listed by no one, the app's Kustomization patches nothing: the examples are only examples.
    expect(find(objectsOf('sync/'), 'Kustomization', 'webapp').spec.patches).toEqual([]);
  });

  it("the provider's guide beside it states the range and names every example", () => {
    const guide = files.find((f) => f.path === 'README.md')!.content;
    expect(guide).toContain('`>=1.0.0 <2.0.0`: minor and patch releases arrive on their own');
    expect(guide).toContain(`path \`./${env}\``);
    for (const name of examples) expect(guide).toContain(`\`customise/${name}\``);
    expect(guide).toContain('the next major does not');
    const unstable = renderProviderBundle(DEFINITIONS[env], { repository: 'ghcr.io/acme/webapp/' + env, version: '0.3.1' }, DEFINITIONS[env].entry.upstream).find((f) => f.path === 'README.md')!.content;
    expect(unstable).toContain('`>=0.3.0 <0.4.0`: patch releases of this 0.x minor arrive on their own,\nthe next minor does not');
  });

  it('holds the app at one version while customise/hold is listed: the range admits that version alone', async () => {
    const held = find(await providerOverlay(files, ['hold'], `${env}-hold`), 'OCIRepository', 'webapp');
    expect(held.spec.ref).toEqual({ semver: '1.4.2' });
    // Flux resolves ref.semver with Masterminds' constraints, which agree with npm's semver here.
    for (const [version, followed] of [['1.4.2', true], ['1.4.3', false], ['1.5.0', false], ['1.4.1', false]] as const) expect(semver.satisfies(version, held.spec.ref.semver), version).toBe(followed);
    expect(held.spec.url).toBe(`oci://ghcr.io/acme/webapp/${env}`);
  });

  it('names the field of a bundle input it cannot use', () => {
    expect(() => providerBundle({ environment: env, repository: 'https://ghcr.io/acme', version: '1.0.0' })).toThrow(/repository: "https:\/\/ghcr.io\/acme" is not an OCI repository/);
    expect(() => providerBundle({ environment: env, repository: 'ghcr.io/acme/webapp', version: 'latest' })).toThrow(/version: "latest" is not a release version/);
  });
});

/** What a provider sees after `c`, in the app Flux built (and the objects beside it). */
function expectInForce(env: Env, built: readonly Obj[], besides: readonly Obj[], c: Customisation): void {
  const definition = DEFINITIONS[env];
  const upstream = definition.entry.upstream;
  switch (c.kind) {
    case 'resources':
      expect(find(built, 'Deployment', c.service).spec.template.spec.containers[0].resources).toEqual({ requests: c.requests, limits: c.limits });
      break;
    case 'autoscaling':
      expect(find(built, 'HorizontalPodAutoscaler', c.service).spec).toMatchObject({ minReplicas: c.minReplicas, maxReplicas: c.maxReplicas, metrics: [{ resource: { target: { averageUtilization: c.cpuUtilization } } }] });
      break;
    case 'slo-threshold':
      expect(find(built, 'Canary', c.service).spec.analysis.metrics.find((m: Obj) => m.name === c.metric).thresholdRange).toEqual({ max: c.max });
      break;
    case 'analysis':
      expect(find(built, 'Canary', c.service).spec.analysis).toMatchObject({ interval: c.interval, threshold: c.threshold });
      break;
    case 'manual-approval':
      expect(find(built, 'Canary', c.service).spec.analysis.webhooks.at(-1)).toEqual({ name: 'manual-approval', type: 'confirm-promotion', url: 'http://flagger-loadtester.webapp/gate/check' });
      break;
    case 'notifications':
      for (const service of c.services) expect(find(built, 'Canary', service).spec.analysis.alerts).toEqual([{ name: 'release', severity: 'info', providerRef: { name: 'release-notifications', namespace: 'webapp' } }]);
      expect(besides).toEqual([expect.objectContaining({ kind: 'AlertProvider', spec: { type: 'slack', secretRef: { name: 'slack-webhook' } } })]);
      break;
    case 'namespace': {
      // Exactly what the distribution would be, had it been composed in that namespace.
      const native = composeDistribution({ ...definition, namespace: c.namespace }).objects.map((o) => JSON.parse(JSON.stringify(o.object)) as Obj);
      const key = (o: Obj) => `${o.kind}/${o.metadata.name}`;
      expect([...built].sort((a, b) => key(a).localeCompare(key(b)))).toEqual([...native].sort((a, b) => key(a).localeCompare(key(b))));
      // Written by hand, not by the composition the patches come from: the old namespace survives only as the app's name in its labels.
      const mentions = (value: unknown, path: string): string[] =>
        typeof value === 'string' ? (value.includes('webapp') ? [path] : []) : value && typeof value === 'object' ? Object.entries(value).flatMap(([k, v]) => [...(k.includes('webapp') ? [`${path}.${k} (key)`] : []), ...mentions(v, `${path}.${k}`)]) : [];
      const stray = built.flatMap((o) => mentions(o, `${o.kind}/${o.metadata.name}`)).filter((path) => !path.endsWith('.app.kubernetes.io/part-of'));
      expect(stray).toEqual([]);
      expect(JSON.stringify(built)).toContain(`${upstream}.${c.namespace}`);
      break;
    }
  }
}

describe.each(ENVIRONMENT_NAMES)('%s: every customisation example, built by kustomize as Flux applies it', (env) => {
  const definition = DEFINITIONS[env];
  const upstream = definition.entry.upstream;
  const examples = customisationExamples(composeDistribution(definition), upstream);
  const files = renderProviderBundle(definition, { repository: `ghcr.io/acme/webapp/${env}`, version: '1.4.2' }, upstream);

  it.each(examples.map((e) => [e.name, e] as const))('%s, listed as a component, applies, validates, and changes what it says', async (_name, example) => {
    const { patches, objects: besides, targetNamespace } = customisationPatches(definition, example.customisation);
    // The component carries exactly the customisation to the app's Kustomization.
    const app = find(await providerOverlay(files, [example.name], `${env}-${example.name}`), 'Kustomization', 'webapp');
    expect([app.spec.patches, app.spec.targetNamespace]).toEqual([patches, targetNamespace]);
    const built = await buildWith(env, patches, example.name, targetNamespace);
    expect(await validateObjects(env, [...built, ...(besides as Obj[])])).toEqual([]);
    expectInForce(env, built, besides as Obj[], example.customisation);
  });

  it('combines: an SLO bound, resources, the analysis and the manual gate listed together are all in force', async () => {
    const chosen = ['slo-threshold', 'resources', 'analysis', 'manual-approval'].map((name) => examples.find((e) => e.name === name)!);
    const patches = appPatches(await providerOverlay(files, chosen.map((e) => e.name), `${env}-combined`));
    // Each component's patches, in the order listed: none replaces another's.
    expect(patches).toEqual(chosen.flatMap((e) => customisationPatches(definition, e.customisation).patches));
    const built = await buildWith(env, patches, 'combined');
    expect(await validateObjects(env, built)).toEqual([]);
    for (const example of chosen) expectInForce(env, built, [], example.customisation);
  });
});

describe('a customisation that does not fit the distribution is refused by name', () => {
  const refusal = (env: Env, customisation: Customisation): DistributionError => {
    try {
      customisationPatches(DEFINITIONS[env], customisation);
    } catch (error) {
      if (error instanceof DistributionError) return error;
      throw error;
    }
    throw new Error('accepted');
  };

  it('an unknown service, a metric the Canary does not check, a field its strategy lacks', () => {
    const unknown = unusedName('payments');
    expect(refusal('istio', { kind: 'resources', service: unknown, limits: { memory: '1Gi' } }).issues[0]).toMatchObject({ environment: 'istio', service: unknown, path: 'service' });
    expect(refusal('linkerd', { kind: 'slo-threshold', service: 'backend', metric: 'latency', max: 1 }).issues[0]).toMatchObject({ environment: 'linkerd', service: 'backend', path: 'metric' });
    // Blue/green on kubernetes counts iterations; it has no stepWeight.
    const kubernetesBackend = composeDistribution(DEFINITIONS.kubernetes).objects.find((o) => o.object.kind === 'Canary' && o.object.metadata?.name === 'backend')!.object as Obj;
    const missing = ['iterations', 'stepWeight'].find((f) => !(f in kubernetesBackend.spec.analysis))!;
    expect(refusal('kubernetes', { kind: 'analysis', service: 'backend', [missing]: 5 } as Customisation).issues[0]).toMatchObject({ environment: 'kubernetes', service: 'backend', path: `analysis.${missing}` });
  });

  it('an SLO bound no release can meet, or one every release meets: the check would be useless', () => {
    expect(refusal('istio', { kind: 'slo-threshold', service: 'backend', metric: 'error-rate', max: -5 }).issues[0]).toMatchObject({
      service: 'backend',
      path: 'max',
      message: 'max -5: error-rate is 0% to 100%, so no value meets it and every release would be rolled back',
    });
    expect(refusal('istio', { kind: 'slo-threshold', service: 'backend', metric: 'request-success-rate', min: 0 }).issues[0]?.message).toBe(
      'min 0: success-rate is 0% to 100%, so every value meets it and it would never roll a release back',
    );
    expect(refusal('linkerd', { kind: 'slo-threshold', service: 'backend', metric: 'average-response-time', min: 500, max: 100 }).issues[0]?.message).toBe(
      'min 500, max 100: no value is at least 500 and at most 100, so every release would be rolled back',
    );
    // Just inside: strict, but met by a release that is perfect.
    expect(() => customisationPatches(DEFINITIONS.istio, { kind: 'slo-threshold', service: 'backend', metric: 'error-rate', max: 0 })).not.toThrow();
    expect(() => customisationPatches(DEFINITIONS.istio, { kind: 'slo-threshold', service: 'backend', metric: 'request-success-rate', min: 100 })).not.toThrow();
  });

  it('a JSON patch aimed at a metric by index fails in kustomize if a release moves that metric', async () => {
    const { patches } = customisationPatches(DEFINITIONS.istio, { kind: 'slo-threshold', service: 'backend', metric: 'error-rate', max: 0.5 });
    const moved = patches.map((p) => ({ ...p, patch: p.patch.replace(/\/metrics\/(\d+)\//g, (_, i: string) => `/metrics/${Number(i) + 1}/`) }));
    await expect(buildWith('istio', moved, 'moved-metric')).rejects.toThrow(/test/i);
  });
});

describe('a bundle that requires signed releases', () => {
  const WORKFLOW = 'https://github.com/acme/web.app/.github/workflows/release.yml';
  const appSource = (verify: Parameters<typeof providerBundle>[0]['verify']) =>
    providerBundle({ environment: 'istio', repository: 'ghcr.io/acme/webapp/istio', version: '1.0.0', verify }).find((p) => p.object.kind === 'OCIRepository' && p.object.metadata?.name === 'webapp')!.object as Obj;

  it('keyless: only the vendor\'s release workflow on main, through GitHub\'s OIDC issuer, valid against the OCIRepository CRD', async () => {
    const source = appSource({ workflow: WORKFLOW });
    const validate = await schemas.validator(source.apiVersion, source.kind);
    expect(validate!(source) ? [] : validate!.errors).toEqual([]);
    const [identity] = source.spec.verify.matchOIDCIdentity as { issuer: string; subject: string }[];
    expect(source.spec.verify.provider).toBe('cosign');
    // Go's regexp (Flux) and JavaScript's agree on these: anchors, escaped dots, literal text.
    const subject = new RegExp(identity!.subject);
    expect(subject.test(`${WORKFLOW}@refs/heads/main`)).toBe(true);
    for (const other of [`${WORKFLOW}@refs/heads/mainline`, `${WORKFLOW}@refs/heads/feature`, WORKFLOW.replace('web.app', 'webXapp') + '@refs/heads/main', `https://github.com/evil/x${WORKFLOW}@refs/heads/main`]) expect(subject.test(other), other).toBe(false);
    expect(new RegExp(identity!.issuer).test('https://token.actions.githubusercontent.com')).toBe(true);
    expect(new RegExp(identity!.issuer).test('https://tokenXactions.githubusercontent.com')).toBe(false);
    expect(new RegExp(appSource({ workflow: WORKFLOW, ref: 'refs/tags/v1' }).spec.verify.matchOIDCIdentity[0].subject).test(`${WORKFLOW}@refs/tags/v1`)).toBe(true);
  });

  it('by key: the public key in a Secret of the provider', async () => {
    const source = appSource({ publicKeySecret: 'webapp-release-key' });
    const validate = await schemas.validator(source.apiVersion, source.kind);
    expect(validate!(source) ? [] : validate!.errors).toEqual([]);
    expect(source.spec.verify).toEqual({ provider: 'cosign', secretRef: { name: 'webapp-release-key' } });
    const guide = renderProviderBundle(DEFINITIONS.istio, { repository: 'ghcr.io/acme/webapp/istio', version: '1.0.0', verify: { publicKeySecret: 'webapp-release-key' } }, DEFINITIONS.istio.entry.upstream).find((f) => f.path === 'README.md')!.content;
    expect(guide).toContain('only with a valid cosign signature by the key whose public half is in the Secret `webapp-release-key`');
  });

  it("names the signer in the provider's guide: the workflow and the ref it must run on", () => {
    const guide = (verify: Parameters<typeof providerBundle>[0]['verify']) =>
      renderProviderBundle(DEFINITIONS.istio, { repository: 'ghcr.io/acme/webapp/istio', version: '1.0.0', ...(verify && { verify }) }, DEFINITIONS.istio.entry.upstream).find((f) => f.path === 'README.md')!.content;
    expect(guide({ workflow: WORKFLOW })).toContain(`Flux applies a release only with a valid cosign signature made keyless by \`${WORKFLOW}\` on \`refs/heads/main\` (GitHub's OIDC issuer).`);
    expect(guide({ workflow: WORKFLOW, ref: 'refs/tags/v1' })).toContain(`made keyless by \`${WORKFLOW}\` on \`refs/tags/v1\``);
    expect(guide(undefined)).toContain('Releases are not required to be signed');
  });

  it('takes a key Secret by any name Kubernetes takes, up to 253 characters', () => {
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(long).toHaveLength(253);
    expect(appSource({ publicKeySecret: long }).spec.verify.secretRef.name).toBe(long);
    expect(() => appSource({ publicKeySecret: `${long}e` })).toThrow(/verify\.publicKeySecret: ".*" is not a Secret name/);
  });

  it('refuses a signer it cannot express exactly', () => {
    expect(() => appSource({ workflow: 'https://github.com/acme/webapp' })).toThrow(/verify\.workflow: "https:\/\/github\.com\/acme\/webapp" is not a GitHub workflow URL/);
    expect(() => appSource({ workflow: WORKFLOW, ref: 'main; rm -rf' })).toThrow(/verify\.ref: "main; rm -rf" is not a git ref/);
    expect(() => appSource({ publicKeySecret: 'Key/../x' })).toThrow(/verify\.publicKeySecret: "Key\/\.\.\/x" is not a Secret name/);
  });
});

describe('canaryship bundle', () => {
  const bundle = async (...args: string[]) => {
    const out: string[] = [];
    const code = await main(['bundle', ...args], { cwd: ROOT, stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => out.push(t) } });
    return { code, output: out.join('') };
  };

  it('writes the bundle for the package\'s version, byte-identical on every run, and replaces only its own render', async () => {
    const out = join(scratch, 'bundle-kubernetes');
    const first = await bundle('environments/kubernetes', '--registry', '127.0.0.1:5000', '--insecure', '--out', out, '--json');
    expect(first.code, first.output).toBe(0);
    const version = (JSON.parse(readFileSync(join(ROOT, 'environments/kubernetes/package.json'), 'utf8')) as { version: string }).version;
    const [source] = parse(readFileSync(join(out, 'sources/webapp.yaml'), 'utf8'));
    expect(source!.spec).toMatchObject({ url: 'oci://127.0.0.1:5000/webapp/kubernetes', insecure: true, ref: { semver: compatibleRange(version) } });
    const snapshot = readdirSync(out, { recursive: true }).map(String).sort().map((f) => [f, f.endsWith('.yaml') ? readFileSync(join(out, f), 'utf8') : ''] as const);
    expect((await bundle('environments/kubernetes', '--registry', '127.0.0.1:5000', '--insecure', '--out', out)).code).toBe(0);
    expect(readdirSync(out, { recursive: true }).map(String).sort().map((f) => [f, f.endsWith('.yaml') ? readFileSync(join(out, f), 'utf8') : ''] as const)).toEqual(snapshot);
    writeFileSync(join(out, 'customise', 'mine.yaml'), 'kind: Kustomization\n');
    const refused = await bundle('environments/kubernetes', '--registry', '127.0.0.1:5000', '--insecure', '--out', out);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/refusing to replace .*: customise\/mine\.yaml is not part of the render/);
    expect(readFileSync(join(out, 'customise', 'mine.yaml'), 'utf8')).toBe('kind: Kustomization\n');
  });

  it('--signed-by makes Flux require the release workflow\'s signature; with --signed-by-key too, it refuses', async () => {
    const out = join(scratch, 'bundle-signed');
    const workflow = 'https://github.com/acme/webapp/.github/workflows/release.yml';
    expect((await bundle('environments/linkerd', '--registry', 'ghcr.io/acme', '--signed-by', workflow, '--out', out)).code).toBe(0);
    const [source] = parse(readFileSync(join(out, 'sources/webapp.yaml'), 'utf8'));
    expect(source!.spec.verify.matchOIDCIdentity[0].subject).toBe('^https://github\\.com/acme/webapp/\\.github/workflows/release\\.yml@refs/heads/main$');
    const both = await bundle('environments/linkerd', '--registry', 'ghcr.io/acme', '--signed-by', workflow, '--signed-by-key', 'k', '--out', out);
    expect(both.code).toBe(2);
    expect(both.output).toContain('--signed-by (keyless, a workflow) or --signed-by-key');
  });
});
