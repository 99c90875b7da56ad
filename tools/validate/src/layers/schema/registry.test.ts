/**
 * Compiled validators kept between runs: a later process reads what an earlier one compiled, gives
 * the same verdicts, and never trusts an entry compiled from something else or a corrupt one.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seal } from '@canaryship/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flaggerCrdFile, kubernetesOpenApiDir } from '../../upstream.js';
import { createSchemaRegistry, type SchemaSources } from './registry.js';

const scratch = mkdtempSync(join(tmpdir(), 'canaryship-schemas-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let sources: Omit<SchemaSources, 'cacheDir'>;
beforeAll(async () => {
  sources = { openApiDir: await kubernetesOpenApiDir(), crdFiles: [await flaggerCrdFile()] };
});

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'backend' },
  spec: {
    minReadySeconds: 2 ** 31,
    selector: { matchLabels: { app: 'backend' } },
    template: { metadata: { labels: { app: 'backend' } }, spec: { containers: [{ name: 'backend', image: 'podinfo', imagePullPolicyy: 'Always' }] } },
  },
};
const canary = { apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'backend' }, spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'backend' }, service: { port: 9898 }, analysis: { interval: '1h' } } };

const INTERVAL_REFUSED = '/spec/analysis/interval pattern {"pattern":"^[0-9]+(m|s)"}';

/** What a user reads of a verdict: where, and which rule. */
async function verdict(cacheDir: string | undefined, object: { apiVersion: string; kind: string }, crdFiles = sources.crdFiles) {
  const validate = await createSchemaRegistry({ ...sources, crdFiles, ...(cacheDir && { cacheDir }) }).validator(object.apiVersion, object.kind);
  if (!validate) throw new Error(`no validator for ${object.kind}`);
  return validate(object) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword} ${JSON.stringify(e.params)}`).sort();
}

describe('compiled validators kept between runs', () => {
  it('a later registry reads what an earlier one compiled and gives the same findings', async () => {
    const dir = join(scratch, 'reuse');
    const fresh = await verdict(undefined, deployment);
    expect(fresh).toContain('/spec/minReadySeconds format {"format":"int32"}');
    expect(fresh).toContain('/spec/template/spec/containers/0 additionalProperties {"additionalProperty":"imagePullPolicyy"}');
    expect(await verdict(dir, deployment)).toEqual(fresh);
    expect(readdirSync(dir).filter((f) => f.endsWith('.cjs'))).toHaveLength(1);
    expect(await verdict(dir, deployment)).toEqual(fresh);
    expect(await verdict(dir, canary)).toEqual(await verdict(undefined, canary));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('really runs the stored code: an entry sealed as compiled is believed (so the cache is read, not recompiled)', async () => {
    const dir = join(scratch, 'believed');
    await verdict(dir, deployment);
    const entry = join(dir, readdirSync(dir).find((f) => f.endsWith('.cjs'))!);
    writeFileSync(entry, 'module.exports = function validate() { validate.errors = [{ instancePath: "/planted", keyword: "x", params: {} }]; return false; };');
    await seal(entry);
    expect(await verdict(dir, deployment)).toEqual(['/planted x {}']);
  });

  it('an entry changed since it was compiled (an edit, a disk error, a validator that accepts everything) is refused, naming it; removed, it is compiled again', async () => {
    const dir = join(scratch, 'tampered');
    const fresh = await verdict(dir, deployment);
    const entry = join(dir, readdirSync(dir).find((f) => f.endsWith('.cjs'))!);
    writeFileSync(entry, 'module.exports = function validate() { return true; };');
    await expect(verdict(dir, deployment)).rejects.toMatchObject({ code: 'cache.tampered', message: expect.stringContaining(`${entry} is not what canaryship made`), hint: `remove ${entry}: validate compiles it again` });
    rmSync(entry);
    expect(await verdict(dir, deployment)).toEqual(fresh);
    expect(readFileSync(entry, 'utf8')).toMatch(/^"use strict"/);
  });

  it('a changed schema is a new entry, never the old verdict', async () => {
    const dir = join(scratch, 'changed');
    expect(await verdict(dir, canary)).toContain(INTERVAL_REFUSED);
    // The same CRD, but accepting hours too: a distribution valid under it must not meet the cached verdict.
    const widened = join(scratch, 'crd.yaml');
    writeFileSync(widened, readFileSync(sources.crdFiles[0]!, 'utf8').replaceAll('^[0-9]+(m|s)', '^[0-9]+(m|s|h)'));
    expect(await verdict(dir, canary, [widened])).not.toContain(INTERVAL_REFUSED);
    expect(readdirSync(dir).filter((f) => f.endsWith('.cjs'))).toHaveLength(2);
  });

  it('a cache that cannot be written costs only time', async () => {
    const blocked = join(scratch, 'a-file');
    writeFileSync(blocked, '');
    expect(await verdict(join(blocked, 'schemas'), deployment)).toEqual(await verdict(undefined, deployment));
  });
});
