/**
 * The CI workflows and shell scripts, checked as far as a machine without containers allows:
 * actionlint (which also runs shellcheck on every `run:` block) and shellcheck on the scripts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/distribution.js';
import { actionlint } from '../support/tools.js';

const SCRIPTS = ['.ci/run', 'tools/control-plane/build.sh', 'tools/cluster/bin/hey', ...readdirSync(join(ROOT, '.github/e2e')).map((f) => `.github/e2e/${f}`)];

describe('workflows and scripts', () => {
  it('pass actionlint', () => {
    const result = spawnSync(actionlint(), ['-color=false'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each(SCRIPTS)('%s passes shellcheck', (script) => {
    expect(() => execFileSync('shellcheck', ['--severity=style', script], { cwd: ROOT, encoding: 'utf8' })).not.toThrow();
  });
});
