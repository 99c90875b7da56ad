/**
 * The Node each workflow runs: the pull request tests the oldest release line the engines field
 * admits and the one the project is developed on; everything else runs the one it is released on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODE } from '@canaryship/toolchain';
import intersects from 'semver/ranges/intersects.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../support/distribution.js';

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  jobs: Record<string, { strategy?: { matrix?: Record<string, unknown[]> }; steps: Step[] }>;
}

const DIR = join(ROOT, '.github/workflows');
const workflows = readdirSync(DIR).map((file) => ({ file, workflow: parse(readFileSync(join(DIR, file), 'utf8')) as Workflow }));
const PROVISIONED_MAJOR = Number(NODE.provision.version.split('.')[0]);

/** Every job's setup-node version, with the matrix expanded. */
const nodeVersions = workflows.flatMap(({ file, workflow }) =>
  Object.entries(workflow.jobs).flatMap(([job, { strategy, steps }]) =>
    steps
      .filter((step) => step.uses?.startsWith('actions/setup-node@'))
      .flatMap((step) => {
        const version = String(step.with?.['node-version']);
        const matrix = /^\$\{\{ matrix\.(\w+) \}\}$/.exec(version)?.[1];
        return (matrix ? (strategy?.matrix?.[matrix] ?? []) : [version]).map((v) => ({ where: `${file} ${job}`, major: Number(v) }));
      }),
  ),
);

describe('the Node the workflows run', () => {
  it('is always a release line the engines field admits', () => {
    expect(nodeVersions.length).toBeGreaterThan(0);
    for (const { where, major } of nodeVersions) expect(intersects(`${major}.x`, NODE.supported), `${where}: Node ${major}`).toBe(true);
  });

  it('tests pull requests on the oldest admitted line and on the provisioned one', () => {
    const pr = nodeVersions.filter((v) => v.where === 'pr.yml test').map((v) => v.major);
    const oldest = [18, 20, 22, 24].find((major) => intersects(`${major}.x`, NODE.supported));
    expect(pr).toEqual([oldest, PROVISIONED_MAJOR]);
  });

  it('runs every other job on the line the project is developed and released on', () => {
    const others = nodeVersions.filter((v) => v.where !== 'pr.yml test');
    expect(others.map((v) => v.where).sort()).toEqual(['e2e.yml kind', 'pr.yml cluster', 'release.yml release']);
    for (const { where, major } of others) expect(major, where).toBe(PROVISIONED_MAJOR);
  });
});
