/** A minimal workspace holding one environment package with a rendered dist, for publish tests. */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distDir, type Env } from '../support/distribution.js';

export const RELEASE_ENV = { SOURCE_DATE_EPOCH: '1767225600' } as const;

export function environmentPackage(env: Env, version: string, root = mkdtempSync(join(tmpdir(), 'canaryship-ws-'))): string {
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'ws', private: true, repository: { type: 'git', url: 'https://github.com/canaryship/canaryship' } }));
  const dir = join(root, 'environments', env);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `@canaryship/env-${env}`, version }));
  cpSync(distDir(env), join(dir, 'dist'), { recursive: true });
  return dir;
}
