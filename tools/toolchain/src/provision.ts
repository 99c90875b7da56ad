/**
 * `canaryship setup`: makes every program a suite runs available before it runs, so no test ever
 * waits for a download or a build. Each tool is built once per pinned version into the cache and
 * reused; progress says which tool, which version, and whether it was cached or built.
 * Builds run one at a time: each go build already uses every core.
 */
import { access, constants, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CanaryshipError } from '@canaryship/blocks';
import { binaryIn, GO_MODULES_ROOT, toolDir, versionOf } from './cache.js';
import { controlPlaneKubernetesVersion, goBuild, moduleDir, upstreamModule } from './go.js';
import { SUITES, toolOf, type Suite, type Tool, type ToolName } from './pins.js';
import { run, ToolFailed, ToolMissing } from './run.js';
import { checkSeal, seal } from './seal.js';

export type ProvisionStatus = 'cached' | 'built' | 'installed' | 'on PATH';

export interface ProvisionedTool {
  readonly name: ToolName;
  readonly version: string;
  readonly path: string;
  readonly status: ProvisionStatus;
  readonly seconds: number;
}

export interface ProvisionResult {
  readonly suites: readonly Suite[];
  readonly tools: readonly ProvisionedTool[];
  readonly modules: readonly { readonly module: string; readonly version: string; readonly dir: string }[];
}

const executable = (path: string): Promise<boolean> => access(path, constants.X_OK).then(() => true, () => false);

/** A program that satisfies `tool` already on PATH (kubectl on the machines), if any. */
async function fromPath(tool: Tool): Promise<string | undefined> {
  if (!tool.onPath) return undefined;
  const output = await run(tool.onPath.command, tool.onPath.versionArgs).then(
    ({ stdout, stderr }) => stdout + stderr,
    () => '',
  );
  return tool.onPath.accepts.test(output) ? tool.onPath.command : undefined;
}

/** Where a tool is, without building anything: the cache, PATH, or (for Debian's) the system. */
export async function locate(name: ToolName, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const tool = toolOf(name);
  if (tool.recipe.from === 'debian') {
    return run('sh', ['-c', 'command -v "$0"', name]).then(({ stdout }) => stdout.trim() || undefined, () => undefined);
  }
  const dir = await toolDir(tool, env);
  const cached = binaryIn(dir, tool);
  if (await executable(cached)) {
    await checkSeal(cached, `remove ${dir} and run \`npx canaryship setup ${suiteOf(name)}\` to build it again`);
    return cached;
  }
  return fromPath(tool);
}

/** The first suite that provisions `name`: what a user runs to get it. */
const suiteOf = (name: ToolName): Suite => (Object.keys(SUITES) as Suite[]).find((s) => (SUITES[s].tools as readonly ToolName[]).includes(name)) ?? 'test';

/** The path of a provisioned tool; a tool that was not provisioned is a clear error naming the setup step. */
export async function toolPath(name: ToolName, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const found = await locate(name, env);
  if (found) return found;
  throw new ToolMissing(`${name} ${await versionOf(toolOf(name).recipe)}`, `run \`npx canaryship setup ${suiteOf(name)}\` (builds it from its pinned Go module, cached under ~/.cache/canaryship)`);
}

async function installDebian(tool: Tool & { recipe: { from: 'debian' } }, progress: (line: string) => void): Promise<void> {
  const asRoot = process.getuid?.() === 0;
  const sudo = !asRoot && (await run('sudo', ['-n', 'true']).then(() => true, () => false));
  if (!asRoot && !sudo) {
    throw new ToolMissing(tool.name, `it exists only as a Debian package here: install it (apt-get install ${tool.recipe.package}) and rerun`);
  }
  const apt = (args: string[]) => (asRoot ? run('apt-get', args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }) : run('sudo', ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args]));
  progress(`${tool.name}: installing Debian's ${tool.recipe.package} with apt-get`);
  await apt(['update', '-qq']);
  await apt(['install', '-y', '-qq', '--no-install-recommends', tool.recipe.package]);
}

/** Without these the Kubernetes servers report v0.0.0, and Flagger refuses to start against them. */
const kubernetesLdflags = (version: string): string => {
  const [major, minor] = version.slice(1).split('.');
  return [`gitVersion=${version}`, `gitMajor=${major}`, `gitMinor=${minor}`].map((v) => `-X k8s.io/component-base/version.${v}`).join(' ');
};

async function build(tool: Tool, progress: (line: string) => void): Promise<string> {
  const { recipe } = tool;
  if (recipe.from === 'debian') throw new Error('bug: a Debian package is not built');
  const dir = await toolDir(tool);
  await mkdir(dirname(dir), { recursive: true });
  const staging = await mkdtemp(join(dirname(dir), '.building-'));
  const started = Date.now();
  const heartbeat = setInterval(() => progress(`${tool.name}: still building (${Math.round((Date.now() - started) / 1000)} s)`), 60_000);
  try {
    if (recipe.from === 'go-install') {
      await goBuild({ package: recipe.package, version: recipe.version, out: staging, ...(recipe.tags && { tags: recipe.tags }) });
    } else {
      const version = recipe.kubernetesVersion ? await controlPlaneKubernetesVersion() : undefined;
      await goBuild({ package: recipe.package, cwd: join(GO_MODULES_ROOT, recipe.moduleDir), out: binaryIn(staging, tool), ...(version && { ldflags: kubernetesLdflags(version) }) });
    }
    if (!(await executable(binaryIn(staging, tool)))) throw new Error(`bug: building ${tool.name} produced no ${binaryIn(staging, tool)}`);
    await seal(binaryIn(staging, tool));
    // Another setup may have finished the same version meanwhile: its copy is as good as ours.
    await rename(staging, dir).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      await rm(staging, { recursive: true, force: true });
    });
    return binaryIn(dir, tool);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (error instanceof ToolFailed) throw new CanaryshipError(`building ${tool.name} failed: ${error.message}`, { code: 'tool.build-failed', hint: 'the Go module proxy must be reachable; rerun `canaryship setup` to retry' });
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
}

/** Provisions every tool and upstream module the given suites need, in order, reporting each. */
export async function provision(suites: readonly Suite[], onProgress: (line: string) => void = () => undefined): Promise<ProvisionResult> {
  const names = [...new Set(suites.flatMap((s) => SUITES[s].tools as readonly ToolName[]))];
  const tools: ProvisionedTool[] = [];
  for (const name of names) {
    const tool = toolOf(name);
    const version = await versionOf(tool.recipe);
    const started = Date.now();
    const seconds = (): number => Math.round((Date.now() - started) / 100) / 10;
    const found = await locate(name);
    if (found) {
      const status: ProvisionStatus = tool.recipe.from === 'debian' ? 'installed' : found.startsWith('/') ? 'cached' : 'on PATH';
      onProgress(`${name} ${version}: ${status} (${found})`);
      tools.push({ name, version, path: found, status, seconds: seconds() });
      continue;
    }
    if (tool.recipe.from === 'debian') {
      await installDebian({ ...tool, recipe: tool.recipe }, onProgress);
      const path = await toolPath(name);
      onProgress(`${name}: installed (${path})`);
      tools.push({ name, version, path, status: 'installed', seconds: seconds() });
      continue;
    }
    const source = tool.recipe.from === 'go-install' ? `${tool.recipe.package}@${tool.recipe.version}` : `${tool.recipe.package} in tools/${tool.recipe.moduleDir}`;
    onProgress(`${name} ${version}: building ${source} (first time: about ${tool.coldMinutes} min on 2 cores)`);
    const path = await build(tool, onProgress);
    onProgress(`${name} ${version}: built in ${Math.round(seconds())} s (${path})`);
    tools.push({ name, version, path, status: 'built', seconds: seconds() });
  }
  const modules = [];
  for (const name of [...new Set(suites.flatMap((s) => SUITES[s].modules))]) {
    const { module, version } = await upstreamModule(name);
    const dir = await moduleDir(name);
    onProgress(`module ${module}@${version}: in the Go module cache`);
    modules.push({ module, version, dir });
  }
  return { suites, tools, modules };
}
