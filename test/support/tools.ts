/** Builds the repository's Go test tools once per run, into the tool cache outside git. */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './distribution.js';

export const CACHE = process.env['CANARYSHIP_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'canaryship');

/** `go build` of tools/flux-pull (Flux's OCI client); the Go build cache makes reruns instant. */
export function fluxPull(): string {
  const out = join(CACHE, 'bin', 'flux-pull');
  mkdirSync(join(CACHE, 'bin'), { recursive: true });
  execFileSync('go', ['build', '-trimpath', '-o', out, '.'], { cwd: join(ROOT, 'tools/flux-pull'), stdio: 'inherit' });
  return out;
}

/** actionlint at a pinned release, installed from the Go module proxy into the tool cache. */
export function actionlint(): string {
  const bin = join(CACHE, 'bin');
  mkdirSync(bin, { recursive: true });
  execFileSync('go', ['install', 'github.com/rhysd/actionlint/cmd/actionlint@v1.7.12'], { env: { ...process.env, GOBIN: bin }, stdio: 'inherit' });
  return join(bin, 'actionlint');
}
