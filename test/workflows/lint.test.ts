/**
 * The CI workflows and shell scripts, checked as far as a machine without containers allows:
 * actionlint (which also runs shellcheck on every `run:` block) and shellcheck on the scripts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/distribution.js';
import { tool } from '../support/tools.js';

const SCRIPTS = ['.ci/run', ...readdirSync(join(ROOT, 'tools/e2e')).map((f) => `tools/e2e/${f}`)];

describe('workflows and scripts', () => {
  it('pass actionlint, with shellcheck on every run block', async () => {
    const shellcheck = await tool('shellcheck');
    const result = spawnSync(await tool('actionlint'), ['-color=false', `-shellcheck=${shellcheck}`], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each(SCRIPTS)('%s passes shellcheck', async (script) => {
    const shellcheck = await tool('shellcheck');
    expect(() => execFileSync(shellcheck, ['--severity=style', script], { cwd: ROOT, encoding: 'utf8' })).not.toThrow();
  });
});
