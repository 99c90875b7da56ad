import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GO_MODULES_ROOT } from './cache.js';
import { UPSTREAM_MODULES } from './pins.js';

describe('one version per upstream', () => {
  it.each([
    ['source-controller', UPSTREAM_MODULES.fluxSource],
    ['kustomize-controller', UPSTREAM_MODULES.fluxKustomize],
  ])('the %s the cluster suite builds is the release whose CRDs the tests read', (dir, upstream) => {
    const goMod = readFileSync(join(GO_MODULES_ROOT, dir, 'go.mod'), 'utf8');
    expect(goMod).toMatch(new RegExp(`^\\s*${upstream.module.replace(/\./g, '\\.')} ${upstream.version}$`, 'm'));
  });
});
