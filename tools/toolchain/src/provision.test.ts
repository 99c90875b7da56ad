/** A provisioned program is used only as setup built it: one replaced since is refused, with the command that builds it again. */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binaryIn, toolDir } from './cache.js';
import { toolOf } from './pins.js';
import { toolPath } from './provision.js';
import { seal } from './seal.js';

describe('toolPath', () => {
  it('answers with a sealed program, and refuses one put in its place since', async () => {
    const env = { ...process.env, CANARYSHIP_CACHE: mkdtempSync(`${tmpdir()}/canaryship-cache-`) };
    const tool = toolOf('kustomize');
    const dir = await toolDir(tool, env);
    const binary = binaryIn(dir, tool);
    mkdirSync(dirname(binary), { recursive: true });
    writeFileSync(binary, '#!/bin/sh\necho "kustomize as built"\n');
    chmodSync(binary, 0o755);
    await seal(binary);
    expect(await toolPath('kustomize', env)).toBe(binary);
    // A script that prints nothing and succeeds: validation would pass anything through it.
    writeFileSync(binary, '#!/bin/sh\nexit 0\n');
    await expect(toolPath('kustomize', env)).rejects.toMatchObject({
      code: 'cache.tampered',
      message: expect.stringContaining(`${binary} is not what canaryship made`),
      hint: `remove ${dir} and run \`npx canaryship setup validate\` to build it again`,
    });
  });
});
