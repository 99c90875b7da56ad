/**
 * The Node npm scripts run: what `npm ci` links on a machine whose Node is too old (ours ship 20),
 * what it leaves alone on one that is new enough, and the sentence a bin stub says on an old Node.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import satisfies from 'semver/functions/satisfies.js';
import { describe, expect, it } from 'vitest';
import { NODE, supports } from '../runtime/node.mjs';
import { provideNode } from '../runtime/provide-node.mjs';
import { nodeProblem } from '../runtime/start.mjs';
import { GO_MODULES_ROOT } from './cache.js';

const ROOT = join(GO_MODULES_ROOT, '..');

/** A platform package as the registry serves it: package/bin/node, which answers --version. */
function fakeNodePackage(version: string): { tarball: string; integrity: string } {
  const dir = mkdtempSync(join(tmpdir(), 'node-package-'));
  mkdirSync(join(dir, 'package/bin'), { recursive: true });
  writeFileSync(join(dir, 'package/bin/node'), `#!/bin/sh\necho v${version}\n`);
  chmodSync(join(dir, 'package/bin/node'), 0o755);
  const tarball = join(dir, 'node-fake.tgz');
  execFileSync('tar', ['-czf', tarball, '-C', dir, 'package']);
  return { tarball, integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}` };
}

function setting(options: { machineVersion: string; platform?: string; integrity?: string }) {
  const { tarball, integrity } = fakeNodePackage('24.99.0');
  const base = mkdtempSync(join(tmpdir(), 'provide-node-'));
  const packed: string[] = [];
  const pin = {
    supported: NODE.supported,
    provision: { version: '24.99.0', packages: { 'linux-x64': { name: 'node-fake', integrity: options.integrity ?? integrity } } },
  };
  const run = () =>
    provideNode({
      root: join(base, 'repo'),
      cache: join(base, 'cache'),
      pin,
      npmsNode: { version: options.machineVersion, path: '/usr/bin/node' },
      platform: options.platform ?? 'linux-x64',
      pack: (spec, destination) => {
        packed.push(spec);
        copyFileSync(tarball, join(destination, 'node-fake-24.99.0.tgz'));
        return 'node-fake-24.99.0.tgz';
      },
    });
  mkdirSync(join(base, 'repo/node_modules/.bin'), { recursive: true });
  return { base, pin, link: join(base, 'repo/node_modules/.bin/node'), cacheDir: join(base, 'cache/node'), packed, run };
}

describe('npm ci on a machine whose Node is too old', () => {
  it('links the pinned Node, fetched once, where npm scripts find it first', () => {
    const s = setting({ machineVersion: '20.20.2' });
    expect(s.run()).toMatch(/^canaryship: Node 20\.20\.2 is outside .* npm scripts and npx here run Node 24\.99\.0 \(installed in /);
    expect(execFileSync(s.link, ['--version'], { encoding: 'utf8' })).toBe('v24.99.0\n');
    expect(readdirSync(s.cacheDir)).toEqual(['24.99.0-linux-x64']); // no staging left behind

    // A second clone, or the next npm ci: the cached one, not a second download.
    expect(s.run()).toMatch(/\(cached in /);
    expect(s.packed).toEqual(['node-fake@24.99.0']);
  });

  it('refuses a package that is not the pinned one, and links nothing', () => {
    const s = setting({ machineVersion: '20.20.2', integrity: 'sha512-AAAA' });
    expect(() => s.run()).toThrow(/node-fake@24\.99\.0 from the registry has sha512-.*, not the sha512-AAAA pinned in tools\/toolchain\/runtime\/node\.mjs/);
    expect(existsSync(s.link)).toBe(false);
    expect(readdirSync(s.cacheDir)).toEqual([]);
  });

  it('replaces a cached Node that no longer runs', () => {
    const s = setting({ machineVersion: '22.11.0' });
    mkdirSync(join(s.cacheDir, '24.99.0-linux-x64/bin'), { recursive: true });
    writeFileSync(join(s.cacheDir, '24.99.0-linux-x64/bin/node'), 'truncated');
    expect(s.run()).toMatch(/\(installed in /);
    expect(execFileSync(s.link, ['--version'], { encoding: 'utf8' })).toBe('v24.99.0\n');
  });

  it('tells the user to install Node where no package is pinned for the platform', () => {
    const s = setting({ machineVersion: '20.20.2', platform: 'darwin-arm64' });
    expect(() => s.run()).toThrow(/no Node 24\.99\.0 is pinned for darwin-arm64 .*: install Node \^22\.18\.0 \|\| \^24\.11\.0 \|\| >=26\.0\.0 \(https:\/\/nodejs\.org\) and run npm ci again/);
    expect(existsSync(s.link)).toBe(false);
  });
});

describe('npm ci on a machine whose Node is new enough', () => {
  it.each(['22.18.0', '24.11.0', '26.0.0'])('with Node %s: downloads nothing, links nothing, and removes the link an older Node left', (machineVersion) => {
    const s = setting({ machineVersion: '20.20.2' });
    s.run();
    expect(provideNodeIn(s, { version: machineVersion, path: '/usr/bin/node' })).toBeUndefined();
    expect(existsSync(s.link)).toBe(false);
  });

  it('keeps the link when npm itself runs the Node it links (npm started by an npm script of this repository)', () => {
    const s = setting({ machineVersion: '20.20.2' });
    s.run();
    const linked = join(s.cacheDir, '24.99.0-linux-x64/bin/node');
    const nested = provideNodeIn(s, { version: '24.99.0', path: linked });
    expect(nested).toBeUndefined();
    expect(readlinkSync(s.link)).toBe(linked);
  });

  it('leaves alone a node_modules/.bin/node that is not ours', () => {
    const s = setting({ machineVersion: '24.22.3' });
    symlinkSync('/usr/bin/env', s.link);
    expect(s.run()).toBeUndefined();
    expect(readlinkSync(s.link)).toBe('/usr/bin/env');
    expect(s.packed).toEqual([]);
  });
});

/** provideNode again over the repository and cache of an earlier install, where nothing may be fetched. */
function provideNodeIn(s: ReturnType<typeof setting>, npmsNode: { version: string; path: string }) {
  return provideNode({
    root: join(s.base, 'repo'),
    cache: join(s.base, 'cache'),
    pin: s.pin,
    npmsNode,
    platform: 'linux-x64',
    pack: () => {
      throw new Error('nothing may be fetched');
    },
  });
}

describe('the Node this project runs on', () => {
  it('is the Node these tests run on, also on a machine whose own Node is older', () => {
    expect(satisfies(process.versions.node, NODE.supported), `Node ${process.versions.node}`).toBe(true);
  });

  it('answers which Node is supported as semver reads the engines range, for every version around each line', () => {
    const versions = Array.from({ length: 13 }, (_, i) => 18 + i).flatMap((major) => [0, 1, 10, 11, 12, 17, 18, 19, 40].map((minor) => `${major}.${minor}.${minor % 3}`));
    expect(versions.filter((v) => supports(v) !== satisfies(v, NODE.supported))).toEqual([]);
    expect(versions.filter(supports).length).toBeGreaterThan(20);
  });

  it('provisions a Node 24 LTS release inside the supported range', () => {
    expect(NODE.provision.version).toMatch(/^24\./);
    expect(satisfies(NODE.provision.version, NODE.supported)).toBe(true);
    expect(satisfies('20.20.2', NODE.supported)).toBe(false);
  });

  it('is what README tells a newcomer', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain(`(\`engines\`: \`${NODE.supported}\``);
    expect(readme).toContain(`\`npm ci\` provides Node ${NODE.provision.version} itself`);
  });

  it('is what every package states in engines.node', () => {
    const manifests = ['package.json', ...['packages', 'environments', 'tools'].flatMap((group) => readdirSync(join(ROOT, group)).map((dir) => join(group, dir, 'package.json')))].filter((file) =>
      existsSync(join(ROOT, file)),
    );
    const engines = Object.fromEntries(manifests.map((file) => [file, (JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { engines?: { node?: string } }).engines?.node]));
    expect(engines).toEqual(Object.fromEntries(manifests.map((file) => [file, NODE.supported])));
  });
});

describe('a bin stub on a Node outside the range', () => {
  /** What a bin stub does with `start`, in a process of its own: its exit code and output. */
  const startIn = (main: string, nodeVersion?: string) => {
    const script = `import { start } from ${JSON.stringify(new URL('../runtime/start.mjs', import.meta.url).href)}; await start('canaryship', new URL(${JSON.stringify(main)})${nodeVersion ? `, ${JSON.stringify(nodeVersion)}` : ''});`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  it('exits 2 with the sentence, before loading anything it runs', () => {
    expect(startIn('file:///nonexistent/dist/main.js', '20.20.2')).toEqual({ code: 2, stdout: '', stderr: `error: ${nodeProblem('canaryship', '20.20.2')}\n` });
  });

  it('on a supported Node, says when the command is not built yet', () => {
    expect(startIn('file:///nonexistent/dist/main.js')).toEqual({ code: 2, stdout: '', stderr: 'error: canaryship is not built yet\n  run `npm run build` in the repository first\n' });
  });

  it.each(['20.20.2', '22.17.1', '23.11.0', '24.10.0'])('Node %s: one line saying what it needs and how to get it', (version) => {
    expect(nodeProblem('canaryship', version)).toBe(
      `canaryship needs Node ${NODE.supported}; this is Node ${version}\n` +
        `  run it through npm in the repository (npx canaryship, or an npm script) after \`npm ci\`, which provides Node ${NODE.provision.version}; or install Node 24`,
    );
  });

  it.each(['22.18.0', '24.11.0', '24.22.3', '26.1.0'])('Node %s: runs', (version) => {
    expect(nodeProblem('canaryship', version)).toBeUndefined();
  });
});
