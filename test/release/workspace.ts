/**
 * A minimal repository holding one environment package with a rendered dist, for publish tests:
 * a real git repository whose one commit (at a fixed time) is the package's release commit.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseWorkspace } from '@canaryship/cluster';
import { parseRegistryAddress, type RegistryAddress } from '@canaryship/release';
import { distDir, type Env } from '../support/distribution.js';

export { gitIn, RELEASED_AT } from '@canaryship/cluster';

export const environmentPackage = (env: Env, version: string, root = mkdtempSync(join(tmpdir(), 'canaryship-ws-'))): string => releaseWorkspace(env, distDir(env), version, root);

/** A test registry's address: plain HTTP on loopback. */
export const local = (host: string): RegistryAddress => parseRegistryAddress(host, { insecure: true });
