/**
 * What a service team's editor and compiler see: the built packages' declarations (dist/*.d.ts,
 * emitted file by file by the build), not the sources the rest of the tests read.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/distribution.js';

// Inside the repository, so `zod` and `kubernetes-types` resolve from its node_modules as they would from a consumer's.
const dir = mkdtempSync(join(ROOT, 'node_modules/.canaryship-declarations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Type-checks `source` against the packages' dist/ declarations; the diagnostics, one line each. */
function typeCheck(source: string): string[] {
  const file = join(dir, `consumer-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(file, source);
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
    paths: { '@canaryship/*': [join(ROOT, 'packages/*/dist/index.d.ts')] },
  });
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}

describe('published declarations', () => {
  it("carry a service's input, its strategy per environment and the blocks' builders", () => {
    const diagnostics = typeCheck(`
      import { backend } from '@canaryship/backend';
      import { frontend } from '@canaryship/frontend';
      import { defineService, progressive, type ServiceInput, type StrategyFor } from '@canaryship/blocks';
      const input: ServiceInput = { ...backend.input, name: 'payments' };
      const istio: StrategyFor<'istio'> = frontend.strategies.istio;
      const iterations: number = frontend.strategies.istio.iterations;
      const weight: number | undefined = backend.strategies.linkerd.maxWeight;
      export const payments = defineService(input, { kubernetes: backend.strategies.kubernetes, istio, linkerd: progressive({ stepWeights: [5, 10] }) });
      void iterations, weight;
    `);
    expect(diagnostics).toEqual([]);
  });

  it('refuse what the sources refuse: a strategy its provider cannot run, a field the schema does not know', () => {
    const diagnostics = typeCheck(`
      import { database } from '@canaryship/database';
      import type { ServiceInput, StrategyFor } from '@canaryship/blocks';
      export const onKubernetes: StrategyFor<'kubernetes'> = database.strategies.istio;
      export const input: ServiceInput = { ...database.input, replicas: 3 };
    `);
    expect(diagnostics).toEqual([
      expect.stringMatching(/^2322 Type 'BlueGreenMirroring' is not assignable to type 'BlueGreen'/),
      expect.stringMatching(/^2353 Object literal may only specify known properties, and 'replicas' does not exist in type 'ServiceInput'/),
    ]);
  });
});
