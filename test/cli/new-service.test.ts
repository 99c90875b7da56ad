/** `canaryship new-service`: the next service starts from a package that type-checks and renders valid. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blueGreen, composeDistribution } from '@canaryship/blocks';
import { main, starterInput } from '@canaryship/cli';
import { loadtester } from '@canaryship/loadtester';
import { defaultSchemaRegistry, distributionOf, validateDistribution } from '@canaryship/validate';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/distribution.js';

const io = (cwd: string, out: string[] = []) => ({ cwd, stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => out.push(t) } });

describe('new-service', () => {
  it('scaffolds a package that type-checks against @canaryship/blocks', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'canaryship-scaffold-'));
    expect(await main(['new-service', 'payments'], io(workspace))).toBe(0);
    const dir = join(workspace, 'packages/payments');
    for (const file of ['package.json', 'tsconfig.json', 'src/index.ts', 'src/payments.ts']) expect(existsSync(join(dir, file)), file).toBe(true);
    writeFileSync(
      join(dir, 'tsconfig.check.json'),
      JSON.stringify({
        extends: join(ROOT, 'tsconfig.base.json'),
        compilerOptions: { noEmit: true, types: [], paths: { '@canaryship/blocks': [join(ROOT, 'packages/blocks/dist/index.d.ts')] } },
        include: ['src'],
      }),
    );
    expect(() => execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(dir, 'tsconfig.check.json')], { encoding: 'utf8' })).not.toThrow();
    expect(await main(['new-service', 'payments'], io(workspace))).toBe(2);
  });

  it('starts from an input that renders into a valid distribution in every environment', async () => {
    const schemas = await defaultSchemaRegistry();
    for (const environment of ['kubernetes', 'istio', 'linkerd'] as const) {
      const composed = composeDistribution({ environment, testRunner: loadtester, services: [{ input: starterInput('payments'), strategy: blueGreen({ iterations: 10 }) }] });
      expect(await validateDistribution(distributionOf(composed, '.'), { schemas, layers: ['schema', 'references', 'policy'] })).toEqual([]);
    }
  });

  it('refuses a name that cannot be a service, writing nothing', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'canaryship-scaffold-'));
    const out: string[] = [];
    expect(await main(['new-service', 'Payments_API'], io(workspace, out))).toBe(2);
    expect(out.join('')).toContain('"Payments_API" cannot name a service: name: a lowercase DNS label');
    expect(existsSync(join(workspace, 'packages'))).toBe(false);
  });
});
