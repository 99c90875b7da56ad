/**
 * Errors that tell the truth: for every command, ordinary bad input, a missing program, an
 * unreachable registry or a refusing machine ends as one clear line with what to do, exit 1 (or 2
 * for usage and missing programs), and never reaches the internal-error path that is kept for bugs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@canaryship/cli';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@canaryship/cluster';
import { distDir, ROOT } from '../support/distribution.js';
import { environmentPackage } from '../release/workspace.js';

const scratch = mkdtempSync(join(tmpdir(), 'canaryship-errors-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const BIN = join(ROOT, 'tools/cli/bin/canaryship.js');
const inProcess = async (args: string[], cwd = ROOT) => {
  const out: string[] = [];
  const code = await main(args, { cwd, stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => out.push(t) } });
  return { code, output: out.join('') };
};
const subprocess = (args: string[], env: NodeJS.ProcessEnv) => {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: result.status, output: result.stdout + result.stderr };
};

/** Holds for every case: a truthful line, no stack trace, never the bug path. */
const expectTruthful = (result: { code: number | null; output: string }, code: 1 | 2, message: RegExp): void => {
  expect(result.output).toMatch(message);
  expect(result.code, result.output).toBe(code);
  expect(result.output).toMatch(/^error: /m);
  expect(result.output).not.toContain('internal error');
  expect(result.output).not.toMatch(/\n\s+at .+:\d+:\d+/);
};

describe('every command answers bad input truthfully', () => {
  const env = environmentPackage('istio', '1.0.0');
  const noDist = environmentPackage('linkerd', '1.0.0');
  const istio = join(ROOT, 'environments/istio');
  rmSync(join(noDist, 'dist'), { recursive: true });

  const CASES: [string, () => Promise<string[]> | string[], 1 | 2, RegExp][] = [
    ['validate without a directory', () => ['validate'], 2, /validate needs at least one distribution directory/],
    ['validate with an unknown layer', () => ['validate', distDir('istio'), '--layer', 'lint'], 2, /unknown layer lint; layers: schema, references/],
    ['publish of a folder that is not an environment package', () => ['publish', join(ROOT, 'packages/blocks')], 2, /is not an environment package \(kubernetes, istio, linkerd\)/],
    ['publish before rendering', () => ['publish', noDist, '--layout', join(scratch, 'l1')], 1, /is not a rendered distribution directory/],
    ['publish with a bad --timeout', () => ['publish', env, '--timeout', 'soon'], 2, /--timeout must be a number of seconds/],
    ['publish with --insecure to a remote registry', () => ['publish', env, '--registry', 'ghcr.io/acme', '--insecure'], 2, /--insecure \(plain HTTP\) is only allowed for a registry on loopback, not ghcr\.io/],
    ['publish with a scheme in --registry', () => ['publish', env, '--registry', 'http://127.0.0.1:5000'], 2, /--registry takes no http:\/\/ scheme/],
    ['publish with an impossible --registry', () => ['publish', env, '--registry', `r.io/${'a'.repeat(300)}`], 2, /--registry is \d+ characters long; a registry reference has at most 255/],
    ['publish with a bad repository prefix', () => ['publish', env, '--registry', 'ghcr.io/Acme Corp'], 2, /path component "Acme Corp" is not a valid repository name part/],
    [
      'publish to a registry nobody listens on',
      async () => ['publish', env, '--registry', `127.0.0.1:${await freePort()}`, '--insecure', '--layout', join(scratch, 'l2')],
      1,
      /GET manifest webapp\/istio:1\.0\.0: cannot reach 127\.0\.0\.1:\d+: ECONNREFUSED/,
    ],
    ['publish into a layout the machine cannot write', () => ['publish', env, '--layout', '/dev/full/layout'], 1, /cannot mkdir \/dev\/full\/layout.*: ENOTDIR\n {2}a part of that path is a file, not a folder/],
    ['diff without --version', () => ['diff', env], 2, /diff needs one environment package directory and --version/],
    ['diff of a version never published', () => ['diff', env, '--version', '9.9.9', '--layout', join(scratch, 'empty-layout')], 2, /is not published/],
    ['build-affected from a revision that does not exist', () => ['build-affected', '--base', 'no-such-ref'], 1, /nx could not find the projects affected since no-such-ref/],
    ['build-affected from something that is not a revision', () => ['build-affected', '--base=-p'], 2, /"-p" is not a git revision/],
    ['setup of an unknown suite', () => ['setup', 'everything'], 2, /unknown suite everything; suites: validate, test, cluster/],
    ['bundle without --registry', () => ['bundle', istio], 2, /bundle needs --registry: where providers pull the releases from/],
    ['bundle with a scheme in --registry', () => ['bundle', istio, '--registry', 'https://ghcr.io/acme'], 2, /--registry takes no https:\/\/ scheme/],
    ['bundle of a version that is not a release', () => ['bundle', istio, '--registry', 'ghcr.io/acme', '--version', 'latest', '--out', join(scratch, 'b1')], 1, /environment istio, field version: "latest" is not a release version/],
    ['bundle of a folder that is not an environment package', () => ['bundle', join(ROOT, 'packages/blocks'), '--registry', 'ghcr.io/acme'], 1, /packages\/blocks is not an environment package/],
    ['bundle over a folder that is not a bundle', () => ['bundle', istio, '--registry', 'ghcr.io/acme', '--out', ROOT], 1, /refusing to replace/],
    ['contract of a version that is not a release', () => ['contract', env, '--version', 'latest', '--layout', join(scratch, 'c1')], 2, /version "latest" is not a release version \(MAJOR\.MINOR\.PATCH\)/],
    ['contract against a version that is not a release', () => ['contract', env, '--against', '1.0', '--layout', join(scratch, 'c2')], 2, /the version to compare with "1\.0" is not a release version/],
    ['plan of a folder that does not exist', () => ['plan', join(scratch, 'nowhere')], 2, /is not a directory: give a distribution/],
    ['plan of a folder kustomize cannot build', () => ['plan', scratch], 1, /does not build with kustomize/],
    ['summary with neither --base nor a folder', () => ['summary'], 2, /summary needs --base REF/],
    ['summary of a folder that is not an environment package', () => ['summary', join(ROOT, 'packages/blocks')], 2, /is not an environment package \(kubernetes, istio, linkerd\)/],
    ['summary since a revision that is not one', () => ['summary', '--base=-oops'], 2, /"-oops" is not a git revision/],
    ['pin-images with a mirror that names no registry', () => ['pin-images', '--image-mirror', '127.0.0.1:5000'], 2, /--image-mirror takes REGISTRY=\[http:\/\/\]HOST\[:PORT\]\[\/PREFIX\] \(e\.g\. ghcr\.io=http:\/\/127\.0\.0\.1:5000\), not "127\.0\.0\.1:5000"/],
    ['pin-images with a plain-HTTP mirror that is not on loopback', () => ['pin-images', '--image-mirror', 'ghcr.io=http://mirror.example.com'], 2, /--image-mirror --insecure \(plain HTTP\) is only allowed for a registry on loopback, not mirror\.example\.com/],
    ['release with a plain-HTTP mirror that is not on loopback', () => ['release', '--check', '--image-mirror', 'ghcr.io=http://mirror.example.com'], 2, /--image-mirror --insecure \(plain HTTP\) is only allowed for a registry on loopback, not mirror\.example\.com/],
    ['pin-images with credentials in the mirror', () => ['pin-images', '--image-mirror', 'ghcr.io=bot:s3cret@mirror.example.com'], 2, /--image-mirror must not carry credentials, a query or a fragment \(its value is not repeated here\)/],
    ['pin-images --check with a mirror', () => ['pin-images', '--check', '--image-mirror', 'ghcr.io=http://127.0.0.1:5000'], 2, /--check reads the rendered distributions only: it takes no --image-mirror/],
    [
      'pin-images at a mirror nobody listens on',
      async () => {
        const mirror = `127.0.0.1:${await freePort()}`;
        return ['pin-images', '--image-mirror', `ghcr.io=http://${mirror}`, '--image-mirror', `docker.io=http://${mirror}`, '--timeout', '1'];
      },
      1,
      /cannot pin \d+ images \(the lock is unchanged\):\n(?: {2}.*\n)*? {2}ghcr\.io\/\S+ \(istio: Deployment\/\S+ spec\.template\.spec\.containers\[0\]\.image; .*\): GET manifest \S+: cannot reach 127\.0\.0\.1:\d+: ECONNREFUSED/,
    ],
    ['an unknown option', () => ['publish', env, '--force'], 2, /^error: unknown option --force; options: /],
  ];

  it.each(CASES)('%s', async (_name, args, code, message) => {
    const result = await inProcess(await args());
    expectTruthful(result, code, message);
    expect(result.output).not.toContain('s3cret');
  });
});

describe('a reader that stops early', () => {
  it('ends the command quietly with the status of SIGPIPE, as kubectl does, not with a stack trace', () => {
    // `true` exits without reading before the command has started: every write meets a closed pipe.
    const script = `"${process.execPath}" "${BIN}" plan environments/istio/dist | true; echo "status \${PIPESTATUS[0]}" >&2`;
    const result = spawnSync('bash', ['-c', script], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('status 141\n');
  });
});

describe('a missing program is named, with how to get it (exit 2)', () => {
  it('a tool that was never provisioned', () => {
    const emptyCache = mkdtempSync(join(scratch, 'cache-'));
    const result = subprocess(['validate', distDir('kubernetes'), '--layer', 'kustomize'], { CANARYSHIP_CACHE: emptyCache });
    expectTruthful(result, 2, /error: kustomize v5\.8\.1 not found\n {2}run `npx canaryship setup validate`/);
  });

  it('Go itself, when a tool must be built', () => {
    const emptyCache = mkdtempSync(join(scratch, 'cache-'));
    const result = subprocess(['setup', 'validate'], { CANARYSHIP_CACHE: emptyCache, PATH: '/usr/bin:/bin' });
    expectTruthful(result, 2, /error: go not found\n {2}install Go 1\.26\.7 or newer/);
  });

  it('Go too old for the pinned modules', () => {
    const bin = mkdtempSync(join(scratch, 'oldgo-'));
    writeFileSync(join(bin, 'go'), '#!/bin/sh\necho go1.22.4\n', { mode: 0o755 });
    const result = subprocess(['setup', 'validate'], { CANARYSHIP_CACHE: mkdtempSync(join(scratch, 'cache-')), PATH: `${bin}:/usr/bin:/bin` });
    expectTruthful(result, 2, /error: Go 1\.26\.7 or newer is needed to build the pinned tools; found go1\.22\.4/);
  });
});
