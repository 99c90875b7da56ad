/**
 * Upstream files the checks need (Kubernetes OpenAPI, Flagger CRDs), read from the pinned Go modules
 * in the module cache; `go mod download` fetches them through the module proxy on first use.
 * Pins: Kubernetes from tools/control-plane/go.mod (the control plane the cluster tests run),
 * Flagger from @canaryship/blocks (the release the Canaries are written for).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { FLAGGER_VERSION } from '@canaryship/blocks';

const run = promisify(execFile);

const CONTROL_PLANE_GO_MOD = new URL('../../control-plane/go.mod', import.meta.url);

export async function kubernetesVersion(): Promise<string> {
  const goMod = await readFile(CONTROL_PLANE_GO_MOD, 'utf8');
  const version = /^\s*k8s\.io\/kubernetes (v\d+\.\d+\.\d+)(\s|$)/m.exec(goMod)?.[1];
  if (!version) throw new Error(`no k8s.io/kubernetes requirement in ${CONTROL_PLANE_GO_MOD.pathname}`);
  return version;
}

const downloads = new Map<string, Promise<string>>();

/** Directory of a Go module version in the module cache. */
export function goModuleDir(module: string, version: string): Promise<string> {
  const key = `${module}@${version}`;
  let dir = downloads.get(key);
  if (!dir) {
    dir = run('go', ['mod', 'download', '-json', key], { maxBuffer: 1 << 20, env: { ...process.env, GOFLAGS: '-mod=mod' } }).then(
      ({ stdout }) => (JSON.parse(stdout) as { Dir: string }).Dir,
      (error: Error & { stdout?: string }) => {
        throw new Error(`cannot fetch ${key} from the Go module proxy (needed for schemas): ${error.stdout || error.message}`);
      },
    );
    downloads.set(key, dir);
  }
  return dir;
}

export const kubernetesOpenApiDir = async (): Promise<string> =>
  `${await goModuleDir('k8s.io/kubernetes', await kubernetesVersion())}/api/openapi-spec/v3`;

export const flaggerCrdFile = async (): Promise<string> =>
  `${await goModuleDir('github.com/fluxcd/flagger', `v${FLAGGER_VERSION}`)}/artifacts/flagger/crd.yaml`;
