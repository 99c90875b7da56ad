/**
 * What the workflows trust: third-party actions pinned to a commit (a moved tag cannot change what
 * runs), expressions reaching scripts only through the environment (a branch name cannot become
 * shell), and the signing identity held by one job that runs no dependency's code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../support/distribution.js';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
}
interface Job {
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const DIR = join(ROOT, '.github/workflows');
const FILES = readdirSync(DIR).filter((file) => file.endsWith('.yml'));
const text = (file: string): string => readFileSync(join(DIR, file), 'utf8');
const workflow = (file: string): Workflow => parse(text(file)) as Workflow;
const jobs = FILES.flatMap((file) => Object.entries(workflow(file).jobs).map(([name, job]) => ({ where: `${file} ${name}`, file, name, job })));

describe('the workflows', () => {
  it.each(FILES)('%s: every action is pinned to a commit, its version in a comment', (file) => {
    const uses = text(file)
      .split('\n')
      .filter((line) => /^\s*(-\s+)?uses:/.test(line));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) expect(line, line.trim()).toMatch(/uses: [\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it.each(FILES)('%s: no expression is spliced into a script', (file) => {
    for (const { name, job } of jobs.filter((j) => j.file === file)) {
      for (const step of job.steps.filter((s) => s.run)) expect(step.run, `${name}: ${step.name ?? step.run}`).not.toContain('${{');
    }
  });

  it('grant nothing beyond reading at the top; each job that writes says what', () => {
    for (const file of FILES) {
      for (const [scope, access] of Object.entries(workflow(file).permissions ?? {})) expect(`${file} ${scope}: ${access}`).toMatch(/: (read|none)$/);
    }
  });

  it('hold the signing identity in one job, which checks out nothing and runs no npm, npx, node or Nx', () => {
    const signing = jobs.filter(({ job }) => job.permissions?.['id-token'] === 'write');
    expect(signing.map((j) => j.where)).toEqual(['release.yml sign']);
    const [sign] = signing;
    expect(sign!.job.steps.flatMap((s) => (s.uses ? [s.uses.split('@')[0]] : []))).toEqual(['actions/setup-go']);
    for (const step of sign!.job.steps.filter((s) => s.run)) expect(step.run).not.toMatch(/\b(npm|npx|node|nx)\b/);
    // And the job that runs the dependencies' code cannot sign.
    expect(jobs.find((j) => j.where === 'release.yml release')?.job.permissions).not.toHaveProperty('id-token');
  });
});
