/** For the freshness tests: a repository with an environment package built from src/ that imports a service package, linked as npm links workspaces. */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function repository(): { root: string; write: (path: string, text: string) => void } {
  const root = mkdtempSync(join(tmpdir(), 'canaryship-built-'));
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const built = (outDir: string, sources: Record<string, string>): void => {
    write(`${outDir}/index.js`, `${Object.values(sources).join('')}//# sourceMappingURL=index.js.map\n`);
    write(`${outDir}/index.js.map`, JSON.stringify({ version: 3, sources: Object.keys(sources).map((s) => `../${s}`), sourcesContent: Object.values(sources) }));
  };
  write('environments/e/package.json', JSON.stringify({ name: '@x/env-e', exports: { '.': { default: './lib/index.js' } }, dependencies: { '@x/svc': '1.0.0', yaml: '2' } }));
  write('environments/e/src/index.ts', 'export const distribution = svc;\n');
  built('environments/e/lib', { 'src/index.ts': 'export const distribution = svc;\n' });
  write('environments/e/dist/kustomization.yaml', 'resources: []\n');
  write('packages/svc/package.json', JSON.stringify({ name: '@x/svc', exports: { '.': { default: './dist/index.js' } } }));
  write('packages/svc/src/svc.ts', "export const interval = '1m';\n");
  built('packages/svc/dist', { 'src/svc.ts': "export const interval = '1m';\n" });
  // An installed dependency is not a workspace: its build is not ours to judge.
  write('node_modules/yaml/package.json', JSON.stringify({ name: 'yaml', version: '2.8.0', exports: { '.': { default: './dist/index.js' } } }));
  mkdirSync(join(root, 'node_modules/@x'), { recursive: true });
  symlinkSync('../../packages/svc', join(root, 'node_modules/@x/svc'));
  return { root, write };
}
