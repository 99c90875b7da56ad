/**
 * cosign with a key pair, offline: what release.yml does keylessly through GitHub's OIDC, here
 * with a key (no Sigstore to reach), signing by digest in the registry as Flux's verify expects.
 * The signature is pushed beside the artifact as the `sha256-<digest>.sig` tag, the layout
 * source-controller looks up; with no transparency log here, neither side uses one.
 */
import { join } from 'node:path';
import { run, toolPath } from '@canaryship/toolchain';

/** An empty password: the key lives only for the test, and cosign would prompt for one otherwise. */
const NO_PASSWORD = { ...process.env, COSIGN_PASSWORD: '' };

export interface KeyPair {
  readonly privateKey: string;
  readonly publicKey: string;
}

/** `cosign generate-key-pair` in `dir`: cosign.key and cosign.pub. */
export async function generateKeyPair(dir: string): Promise<KeyPair> {
  await run(await toolPath('cosign'), ['generate-key-pair'], { cwd: dir, env: NO_PASSWORD });
  return { privateKey: join(dir, 'cosign.key'), publicKey: join(dir, 'cosign.pub') };
}

/** Signs `repository@digest` (never a tag: what is signed is what was pushed) on a plain-HTTP test registry. */
export async function signByDigest(keys: KeyPair, repository: string, digest: string): Promise<void> {
  const offline = ['--tlog-upload=false', '--use-signing-config=false', '--new-bundle-format=false'];
  await run(await toolPath('cosign'), ['sign', '--yes', '--key', keys.privateKey, ...offline, '--allow-http-registry', `${repository}@${digest}`], { env: NO_PASSWORD, timeout: 60_000 });
}
