/**
 * A provider checks their own kustomize overlay before anything applies it (`validate --overlay`):
 * what it builds goes through the layers a distribution does, and a patch that changes nothing, such
 * as one whose target is misspelt, which kustomize and Flux skip without a word, fails the check.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderProviderBundle } from '@canaryship/blocks';
import { main } from '@canaryship/cli';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DEFINITIONS, distDir } from '../support/distribution.js';
import { writeSubscription } from '../support/subscription.js';

const scratch = mkdtempSync(join(tmpdir(), 'canaryship-overlay-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Services by their part in the app, not the demo's names: the entry's upstream, and the one it calls.
const upstream = DEFINITIONS.istio.entry.upstream;

/** A provider's repository: the release as `base/`, and their overlay of it in `overlay/`. */
function overlay(name: string, fields: Record<string, unknown>): string {
  const root = join(scratch, name);
  cpSync(distDir('istio'), join(root, 'base'), { recursive: true });
  mkdirSync(join(root, 'overlay'));
  writeFileSync(join(root, 'overlay/kustomization.yaml'), stringify({ resources: ['../base'], ...fields }));
  return join(root, 'overlay');
}

const validate = async (...args: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['validate', ...args], { cwd: scratch, stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } });
  return { code, stdout: out.join(''), stderr: err.join('') };
};

const resources = { target: { kind: 'Deployment', name: upstream }, patch: stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: upstream }, spec: { template: { spec: { containers: [{ name: 'podinfo', resources: { limits: { memory: '512Mi' } } }] } } } }) };
// A threshold no distribution ships, so the patch changes something.
const threshold = { target: { kind: 'Canary', name: upstream }, patch: stringify([{ op: 'replace', path: '/spec/analysis/threshold', value: 17 }]) };

describe('validate --overlay', () => {
  it("passes a provider's overlay whose every patch applies", async () => {
    const result = await validate('--overlay', overlay('good', { patches: [resources, threshold] }));
    expect(result.stdout).toBe('overlay: 0 error(s), 0 warning(s)\n');
    expect(result.code).toBe(0);
  });

  it('fails a patch whose target is misspelt, naming it, where kustomize builds without a word', async () => {
    const misspelt = { ...resources, target: { kind: 'Deployment', name: `${upstream.slice(0, -2)}${upstream.slice(-1)}${upstream.slice(-2, -1)}` } };
    const result = await validate('--overlay', overlay('misspelt', { patches: [threshold, misspelt] }), '--json');
    expect(result.code).toBe(1);
    const { findings } = JSON.parse(result.stdout) as { findings: { rule: string; path: string; message: string }[] };
    expect(findings).toEqual([expect.objectContaining({ rule: 'references.patch-changes-nothing', path: 'patches[1]', message: expect.stringContaining(`target: kind Deployment, name ${misspelt.target.name}`) })]);
  });

  it('judges each patch on what the patches before it made: one that builds on another passes, the second of two the same fails', async () => {
    const env = { target: { kind: 'Deployment', name: upstream }, patch: stringify([{ op: 'add', path: '/spec/template/spec/containers/0/env', value: [] }]) };
    const variable = { target: { kind: 'Deployment', name: upstream }, patch: stringify([{ op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'REGION', value: 'eu-1' } }]) };
    const dependent = await validate('--overlay', overlay('dependent', { patches: [env, variable] }));
    expect(dependent.stdout).toBe('overlay: 0 error(s), 0 warning(s)\n');
    const twice = await validate('--overlay', overlay('twice', { patches: [threshold, structuredClone(threshold)] }), '--json');
    expect((JSON.parse(twice.stdout) as { findings: { rule: string; path: string }[] }).findings.map((f) => [f.rule, f.path])).toEqual([['references.patch-changes-nothing', 'patches[1]']]);
  });

  it('finds in what the overlay builds what it would find in a distribution: a privileged container', async () => {
    const root = { target: { kind: 'Deployment', name: upstream }, patch: stringify([{ op: 'replace', path: '/spec/template/spec/containers/0/securityContext/privileged', value: true }]) };
    const result = await validate('--overlay', overlay('root', { patches: [root] }), '--json');
    expect(result.code).toBe(1);
    const { findings } = JSON.parse(result.stdout) as { findings: { layer: string; object: string; path: string }[] };
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.layer === 'policy' && f.object === `Deployment/webapp/${upstream}`)).toBe(true);
  });

  it('says what it cannot check, and says so before building: a remote resource, a field whose paths it does not know', async () => {
    // A patch file that does not exist: had it built first, kustomize would have said so instead.
    const remote = await validate('--overlay', overlay('remote', { resources: ['https://github.com/acme/webapp//base?ref=main'], patches: [{ path: 'missing.yaml' }] }));
    expect(remote.code).toBe(1);
    expect(remote.stderr).toContain('a remote resource: validate checks what is on this machine');
    const helm = await validate('--overlay', overlay('helm', { helmCharts: [{ name: 'x' }] }));
    expect(helm.code).toBe(1);
    expect(helm.stderr).toContain('has `helmCharts`: validate --overlay reads resources, components, patches');
  });

  it('refuses, before building anything, an overlay beyond its bounds: each patch costs a build', async () => {
    const result = await validate('--overlay', overlay('many', { patches: Array.from({ length: 201 }, () => structuredClone(threshold)) }));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/has 201 patches; the limit is 200\n/);
  });

  it("checks a subscription's customisations (patches of the app's Flux Kustomization) against the release it follows", async () => {
    // The bundle as rendered, in subscription/; the provider's overlay lists an example and adds a patch of their own, misspelt.
    const mine = { target: { kind: 'Deployment', name: `${upstream}x` }, patch: resources.patch };
    const appended = stringify([{ op: 'add', path: '/spec/patches/-', value: mine }]);
    const files = renderProviderBundle(DEFINITIONS.istio, { repository: 'ghcr.io/acme/webapp/istio', version: '1.4.2' }, upstream);
    const root = writeSubscription(join(scratch, 'subscribed'), files, ['analysis'], { patches: [{ target: { kind: 'Kustomization', name: 'webapp' }, patch: appended }] });
    const refused = await validate('--overlay', root);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('subscribes with Flux: its customisations are patches Flux applies to the release');
    const result = await validate('--overlay', root, '--release', distDir('istio'), '--json');
    expect(result.code).toBe(1);
    const { findings } = JSON.parse(result.stdout) as { findings: { rule: string; file: string; path: string; message: string }[] };
    // The example's patch applies; the provider's own (after it) matches nothing.
    expect(findings).toEqual([expect.objectContaining({ rule: 'references.patch-changes-nothing', file: 'Kustomization/webapp', path: 'spec.patches[1]', message: expect.stringContaining(`name ${upstream}x`) })]);
  });

  it('points a provider who validates their overlay as a distribution at --overlay', async () => {
    const result = await validate(overlay('plain', {}));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('kustomization.yaml lists "../base", which is outside the distribution');
    expect(result.stderr).toContain('validate --overlay');
  });
});
