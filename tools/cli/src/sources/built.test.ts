import { mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBuiltFromSources, workspaceClosure } from './built.js';
import { repository } from './test-repository.js';

describe('requireBuiltFromSources', () => {
  it('names files from where the user is, when the repository is reached through a symlink', async () => {
    const { root, write } = repository();
    const link = join(mkdtempSync(join(tmpdir(), 'canaryship-link-')), 'repo');
    symlinkSync(root, link);
    write('packages/svc/src/svc.ts', "export const interval = '2m';\n");
    await expect(requireBuiltFromSources(join(link, 'environments/e'), link)).rejects.toMatchObject({ message: '@x/env-e is older than its sources: packages/svc/src/svc.ts changed since packages/svc/dist was built' });
  });

  it('finds the workspace packages an environment is built from, and not what npm installed', async () => {
    const { root } = repository();
    expect((await workspaceClosure(join(root, 'environments/e'))).map((dir) => relative(realpathSync(root), dir)).sort()).toEqual(['environments/e', 'packages/svc']);
  });

  it('accepts a build whose every compiled source is unchanged', async () => {
    const { root } = repository();
    await expect(requireBuiltFromSources(join(root, 'environments/e'), root)).resolves.toBeUndefined();
  });

  it.each([
    ['a service source edited after its build', (w: (p: string, t: string) => void) => w('packages/svc/src/svc.ts', "export const interval = '2m';\n"), 'packages/svc/src/svc.ts changed since packages/svc/dist was built'],
    ['a source of the environment itself', (w: (p: string, t: string) => void) => w('environments/e/src/index.ts', 'export const distribution = 1;\n'), 'environments/e/src/index.ts changed since environments/e/lib was built'],
    ['a source removed', (_: unknown, root: string) => rmSync(join(root, 'packages/svc/src/svc.ts')), 'packages/svc/src/svc.ts was removed since packages/svc/dist was built'],
    ['a package never built', (_: unknown, root: string) => rmSync(join(root, 'packages/svc/dist'), { recursive: true }), 'packages/svc/dist has not been built'],
    ['a map cut short by an interrupted build', (w: (p: string, t: string) => void) => w('packages/svc/dist/index.js.map', '{"version":3,"sour'), 'packages/svc/dist/index.js.map cannot be read as a source map (an interrupted build?)'],
    [
      'a map without the text of its sources',
      (w: (p: string, t: string) => void) => w('packages/svc/dist/index.js.map', JSON.stringify({ version: 3, sources: ['../src/svc.ts'], sourcesContent: [null] })),
      'packages/svc/dist/index.js.map does not hold the text of packages/svc/src/svc.ts, so its build cannot be checked',
    ],
  ] as const)('refuses %s, naming the file and the command that brings it up to date', async (_, change, message) => {
    const { root, write } = repository();
    change(write, root);
    await expect(requireBuiltFromSources(join(root, 'environments/e'), root)).rejects.toMatchObject({
      code: 'build.stale',
      message: `@x/env-e is older than its sources: ${message}`,
      hint: expect.stringContaining('npm run build'),
    });
  });
});
