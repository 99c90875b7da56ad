/** The go command: its version, builds into a directory, and upstream modules in the module cache. */
import { readFile } from 'node:fs/promises';
import { CanaryshipError } from '@canaryship/blocks';
import { MINIMUM_GO, UPSTREAM_MODULES, type UpstreamModule } from './pins.js';
import { run, ToolMissing, type RunOptions } from './run.js';

const INSTALL_GO = `install Go ${MINIMUM_GO} or newer (https://go.dev/dl/), then rerun`;

const versionParts = (version: string): number[] => version.split('.').map((part) => Number.parseInt(part, 10) || 0);

export const atLeast = (version: string, minimum: string): boolean => {
  const [a, b] = [versionParts(version), versionParts(minimum)];
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff > 0;
  }
  return true;
};

let checked: Promise<string> | undefined;

/** The go command's version, once per process; a missing or too old Go is one clear error. */
export function goVersion(): Promise<string> {
  checked ??= run('go', ['env', 'GOVERSION'], { install: INSTALL_GO }).then(({ stdout }) => {
    const version = stdout.trim().replace(/^go/, '');
    if (!/^\d+\.\d+/.test(version) || !atLeast(version, MINIMUM_GO)) {
      throw new CanaryshipError(`Go ${MINIMUM_GO} or newer is needed to build the pinned tools; found go${version}`, { code: 'tool.go-too-old', exitCode: 2, hint: INSTALL_GO });
    }
    return version;
  });
  return checked;
}

export interface GoBuild {
  readonly package: string;
  readonly out: string;
  readonly cwd?: string;
  /** `@version` for `go install`; without it, `go build` inside `cwd`'s module. */
  readonly version?: string;
  readonly tags?: readonly string[];
  readonly ldflags?: string;
  readonly onStderr?: RunOptions['onStderr'];
}

/** Builds one binary to `out`: `go build -o` in a module of ours, or `go install` of a pinned module into a GOBIN. */
export async function goBuild(build: GoBuild): Promise<void> {
  await goVersion();
  const flags = ['-trimpath', `-ldflags=-s -w${build.ldflags ? ` ${build.ldflags}` : ''}`, ...(build.tags?.length ? [`-tags=${build.tags.join(',')}`] : [])];
  const env = { ...process.env };
  if (build.version !== undefined) {
    // go install names the binary after the package; GOBIN is a fresh directory per build.
    await run('go', ['install', ...flags, `${build.package}@${build.version}`], { env: { ...env, GOBIN: build.out }, onStderr: build.onStderr, timeout: 60 * 60_000 });
    return;
  }
  await run('go', ['build', ...flags, '-o', build.out, build.package], { ...(build.cwd && { cwd: build.cwd }), env, onStderr: build.onStderr, timeout: 60 * 60_000 });
}

/** Kubernetes' version, as tools/control-plane/go.mod pins it. */
export async function kubernetesVersion(controlPlaneGoMod: string | URL): Promise<string> {
  const goMod = await readFile(controlPlaneGoMod, 'utf8');
  const version = /^\s*k8s\.io\/kubernetes (v\d+\.\d+\.\d+)(\s|$)/m.exec(goMod)?.[1];
  if (!version) throw new Error(`bug: no k8s.io/kubernetes requirement in ${String(controlPlaneGoMod)}`);
  return version;
}

const CONTROL_PLANE_GO_MOD = new URL('../../control-plane/go.mod', import.meta.url);

export const controlPlaneKubernetesVersion = (): Promise<string> => kubernetesVersion(CONTROL_PLANE_GO_MOD);

const modules = new Map<string, Promise<{ Dir: string; Sum: string }>>();

/** `module@version` of a pinned upstream module. */
export async function upstreamModule(name: UpstreamModule): Promise<{ module: string; version: string }> {
  const pin = UPSTREAM_MODULES[name];
  return { module: pin.module, version: pin.version === 'control-plane' ? await controlPlaneKubernetesVersion() : pin.version };
}

/** A pinned upstream module in Go's module cache, as `go mod download -json` reports it (a cached one costs no network). */
function downloaded(name: UpstreamModule): Promise<{ Dir: string; Sum: string }> {
  let download = modules.get(name);
  if (!download) {
    download = upstreamModule(name).then(async ({ module, version }) => {
      await goVersion();
      const key = `${module}@${version}`;
      const { stdout } = await run('go', ['mod', 'download', '-json', key], { env: { ...process.env, GOFLAGS: '-mod=mod' }, install: INSTALL_GO }).catch((error: Error) => {
        throw error instanceof ToolMissing ? error : new CanaryshipError(`cannot fetch ${key} through the Go module proxy: ${error.message}`, { code: 'tool.module-unavailable', hint: 'check GOPROXY and the network, then run `canaryship setup`' });
      });
      return JSON.parse(stdout) as { Dir: string; Sum: string };
    });
    modules.set(name, download);
    download.catch(() => modules.delete(name));
  }
  return download;
}

/**
 * Directory of a pinned upstream module in Go's module cache. `setup` downloads every module a suite
 * reads; here a module already in the cache costs no network.
 */
export const moduleDir = async (name: UpstreamModule): Promise<string> => (await downloaded(name)).Dir;

/** The module's checksum (`h1:…`), as Go verified it against its checksum database when it downloaded it. */
export const moduleSum = async (name: UpstreamModule): Promise<string> => (await downloaded(name)).Sum;
