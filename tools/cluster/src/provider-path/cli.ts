/**
 * `canaryship-provider-path`: the steps of a provider's path, one command each, against any
 * cluster kubectl reaches (kind on GitHub Actions or a laptop, the local control plane): what
 * .github/workflows/e2e.yml calls, and what test/cluster/flux.test.ts runs as functions.
 *
 *   publish    a release of an environment package (a service's new revision, good or faulty)
 *   subscribe  the provider bundle, following the environment's releases from a registry
 *   initialised  every Canary Flux applied has been initialised by Flagger
 *   release    publish, then Flux's apply and Flagger's verdict, checked against what is expected
 *   diagnose   Canaries, Flux's objects, events and Flagger's log
 *   front      the service users reach through the entry (for a check that skipping it is refused)
 *   prove      whether a user's answer through the entry came back from every hop of the app's path
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CanaryshipError, ENVIRONMENT_PROFILES, type DistributionDefinition, type EnvironmentName, type FluxDuration } from '@canaryship/blocks';
import { distribution as istio } from '@canaryship/env-istio';
import { distribution as kubernetes } from '@canaryship/env-kubernetes';
import { distribution as linkerd } from '@canaryship/env-linkerd';
import { isLoopback, parseRegistryAddress, type RegistryAddress } from '@canaryship/release';
import { report } from '@canaryship/toolchain';
import { awaitCanariesInitialised } from '../kube/canary-state.js';
import { clusterAt } from '../kube/cluster.js';
import { deployedRevision } from '../canary-runs/overlay.js';
import { faultyConfig, rolesIfAny } from '../canary-runs/roles.js';
import { callTreeOf, provenHops } from '../dataplane/users.js';
import { diagnose } from './diagnose.js';
import { judgeRelease, patchesOf, quickAnalyses, subscribe } from './subscribe.js';
import { openWorkspace, publishRelease, type Published } from './workspace.js';

const DEFINITIONS: Readonly<Record<EnvironmentName, DistributionDefinition>> = { kubernetes, istio, linkerd };
const NAMESPACE = 'webapp';
const VERSION = /^\d+\.\d+\.\d+$/;
/** The user id tools/e2e/traffic-path.sh posts as (userMarker: `canaryship-user-e2e`). */
const E2E_USER = 'e2e';

export interface Io {
  readonly cwd: string;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

const usage = `canaryship-provider-path <step> --environment ENV [options]   (kubectl's cluster: --kubeconfig or $KUBECONFIG)
  publish     --workspace DIR --registry HOST --version V [--service S [--faulty]] [--dist DIR]
  subscribe   --repository HOST/PATH --version V [--insecure] [--poll DURATION] [--quick-analysis]
  initialised [--timeout-minutes N]
  release     --workspace DIR --registry HOST --version V [--service S] [--faulty] --expect promoted|rolled-back
              (without --service: the last service on the app's path that calls others)
  diagnose
  front       (prints the entry's upstream)
  prove       --answer TEXT   (the answer to a POST of {"canaryship":"canaryship-user-e2e"} to the entry's /echo)
`;

class Usage extends CanaryshipError {
  constructor(message: string) {
    super(message, { code: 'usage', exitCode: 2 });
  }
}

const OPTIONS = {
  environment: { type: 'string' },
  kubeconfig: { type: 'string' },
  namespace: { type: 'string', default: NAMESPACE },
  workspace: { type: 'string' },
  registry: { type: 'string' },
  version: { type: 'string' },
  service: { type: 'string' },
  faulty: { type: 'boolean', default: false },
  dist: { type: 'string' },
  repository: { type: 'string' },
  insecure: { type: 'boolean', default: false },
  poll: { type: 'string' },
  'quick-analysis': { type: 'boolean', default: false },
  'timeout-minutes': { type: 'string', default: '10' },
  expect: { type: 'string' },
  answer: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function parseOptions(args: readonly string[]): { values: Values; positionals: string[] } {
  try {
    return parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new Usage((error as Error).message);
  }
}

const required = (values: Values, name: keyof Values): string => {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new Usage(`--${name} is required`);
  return value;
};

function environmentOf(values: Values): EnvironmentName {
  const name = required(values, 'environment');
  if (!(name in ENVIRONMENT_PROFILES)) throw new Usage(`--environment: "${name}" is not one of ${Object.keys(ENVIRONMENT_PROFILES).join(', ')}`);
  return name as EnvironmentName;
}

function versionOf(values: Values): string {
  const version = required(values, 'version');
  if (!VERSION.test(version)) throw new Usage(`--version: "${version}" is not MAJOR.MINOR.PATCH`);
  return version;
}

/** A step with its arguments checked: what the workflow's and README's command lines must parse to. */
export type Step = { readonly environment: EnvironmentName; readonly kubeconfig: string | undefined; readonly namespace: string; readonly timeoutMs: number } & (
  | { readonly step: 'publish'; readonly release: ReleaseArgs }
  | { readonly step: 'subscribe'; readonly repository: string; readonly version: string; readonly insecure: boolean; readonly poll: FluxDuration | undefined; readonly quickAnalysis: boolean }
  | { readonly step: 'initialised' }
  | { readonly step: 'release'; readonly release: ReleaseArgs & { readonly service: string }; readonly expect: 'promoted' | 'rolled-back' }
  | { readonly step: 'diagnose' }
  | { readonly step: 'front' }
  | { readonly step: 'prove'; readonly answer: string }
);

interface ReleaseArgs {
  readonly workspace: string;
  readonly registry: string;
  readonly version: string;
  readonly dist: string;
  readonly service: string | undefined;
  readonly faulty: boolean;
}

/** Plain HTTP for a registry on loopback (a port-forward, a local registry), HTTPS for any other. */
const registryOf = (value: string): RegistryAddress => {
  const address = parseRegistryAddress(value);
  return { ...address, insecure: isLoopback(address.host) };
};

const DURATION = /^(\d+(ms|s|m|h))+$/;

/** Parses and checks a step's command line, without touching a cluster or a file. */
export function parseStep(args: readonly string[], cwd: string): Step | 'help' {
  const { values, positionals } = parseOptions(args);
  const [step, ...extra] = positionals;
  if (step === 'help' || values.help) return 'help';
  if (step === undefined) throw new Usage('which step?');
  if (extra.length > 0) throw new Usage(`unexpected ${extra.join(' ')}`);
  const environment = environmentOf(values);
  const timeoutMs = Number(values['timeout-minutes']) * 60_000;
  if (!(timeoutMs > 0)) throw new Usage('--timeout-minutes must be a positive number');
  const common = { environment, kubeconfig: values.kubeconfig, namespace: values.namespace, timeoutMs };
  const release = (service = values.service): ReleaseArgs => {
    if (service !== undefined && !DEFINITIONS[environment].services.some((s) => s.input.name === service)) throw new Usage(`--service: ${environment} has no service "${service}"`);
    if (values.faulty && service === undefined) throw new Usage('--faulty needs --service: the service whose release is faulty');
    registryOf(required(values, 'registry'));
    return { workspace: resolve(cwd, required(values, 'workspace')), registry: required(values, 'registry'), version: versionOf(values), dist: resolve(cwd, values.dist ?? join('environments', environment, 'dist')), service, faulty: values.faulty };
  };
  switch (step) {
    case 'publish':
      return { ...common, step, release: release() };
    case 'subscribe': {
      if (values.poll !== undefined && !DURATION.test(values.poll)) throw new Usage(`--poll: "${values.poll}" is not a duration such as 30s or 1m`);
      return { ...common, step, repository: required(values, 'repository'), version: versionOf(values), insecure: values.insecure, poll: values.poll as FluxDuration | undefined, quickAnalysis: values['quick-analysis'] };
    }
    case 'initialised':
    case 'diagnose':
    case 'front':
      return { ...common, step };
    case 'prove':
      return { ...common, step, answer: required(values, 'answer') };
    case 'release': {
      const expected = required(values, 'expect');
      if (expected !== 'promoted' && expected !== 'rolled-back') throw new Usage(`--expect: "${expected}" is not promoted or rolled-back`);
      // A service that calls others, so a faulty release is judged on the path users' requests take.
      const service = values.service ?? rolesIfAny(callTreeOf(DEFINITIONS[environment]))?.caller;
      if (service === undefined) throw new Usage(`--service is needed: no service of ${environment}'s app calls another, so there is none to choose`);
      return { ...common, step, release: { ...release(service), service }, expect: expected };
    }
    default:
      throw new Usage(`unknown step "${step}"`);
  }
}

/** Publishes one release from the workspace (created from the rendered dist on first use). */
async function publishStep(environment: EnvironmentName, args: ReleaseArgs, io: Io): Promise<Published> {
  const packageDir = openWorkspace(environment, args.dist, args.version, args.workspace);
  const { service, version, faulty } = args;
  const registry = registryOf(args.registry);
  const published = await publishRelease(packageDir, { version, ...(service && { services: { [service]: { revision: version, ...(faulty && { config: faultyConfig(service, rolesIfAny(callTreeOf(DEFINITIONS[environment]))) }) } } }) }, { registry, layoutRoot: join(args.workspace, 'layout') });
  io.stderr.write(`${environment}: published ${version} (${published.digest})${service ? `: ${faulty ? 'a faulty' : 'a good'} ${service}` : ''}\n`);
  return published;
}

/** The command line: runs one step; a failure is reported as `canaryship` reports one (exit 1 or 2, 70 for a bug). */
export async function main(args: readonly string[], io: Io): Promise<number> {
  try {
    return await providerPath(args, io);
  } catch (error) {
    return report(error, usage.trimEnd(), io.stderr);
  }
}

async function providerPath(args: readonly string[], io: Io): Promise<number> {
  const parsed = parseStep(args, io.cwd);
  if (parsed === 'help') {
    io.stdout.write(`Usage: ${usage}`);
    return 0;
  }
  const { environment, namespace, timeoutMs } = parsed;
  const cluster = clusterAt(parsed.kubeconfig);
  switch (parsed.step) {
    case 'publish': {
      const { version, digest } = await publishStep(environment, parsed.release, io);
      io.stdout.write(`${JSON.stringify({ version, digest })}\n`);
      return 0;
    }
    case 'subscribe': {
      const definition = DEFINITIONS[environment];
      const { patches } = patchesOf(definition, parsed.quickAnalysis ? quickAnalyses(definition) : []);
      const file = join(io.cwd, `subscription-${environment}.yaml`);
      await subscribe(cluster, { environment, repository: parsed.repository, version: parsed.version, insecure: parsed.insecure, patches, ...(parsed.poll && { pollInterval: parsed.poll }) }, file);
      io.stderr.write(`${environment}: subscribed (${file})\n`);
      return 0;
    }
    case 'initialised': {
      const names = await awaitCanariesInitialised(cluster, namespace, timeoutMs);
      io.stderr.write(`${environment}: Canaries initialised: ${names.join(', ')}\n`);
      return 0;
    }
    case 'release': {
      const { service } = parsed.release;
      const before = await deployedRevision(cluster, namespace, `${service}-primary`);
      const published = await publishStep(environment, parsed.release, io);
      const { verdict, primaryRevision } = await judgeRelease(cluster, { revision: `${published.version}@${published.digest}`, service, namespace }, { applyMs: timeoutMs, verdictMs: timeoutMs });
      const want = parsed.expect === 'promoted' ? { phase: 'Succeeded', primary: published.version } : { phase: 'Failed', primary: before };
      io.stderr.write(`${environment}: ${service} ${published.version}: ${verdict.phase} after ${verdict.failedChecks} failed checks; the primary runs "${primaryRevision}"\n`);
      io.stdout.write(`${JSON.stringify({ version: published.version, digest: published.digest, verdict: verdict.phase, failedChecks: verdict.failedChecks, primaryRevision })}\n`);
      if (verdict.phase !== want.phase || primaryRevision !== want.primary) {
        io.stderr.write(`error: expected ${parsed.expect} (${want.phase}, the primary on "${want.primary}")\n`);
        return 1;
      }
      return 0;
    }
    case 'diagnose':
      io.stdout.write(await diagnose(cluster, environment, namespace));
      return 0;
    case 'front':
      io.stdout.write(`${DEFINITIONS[environment].entry.upstream}\n`);
      return 0;
    case 'prove': {
      const proof = provenHops(parsed.answer, E2E_USER, callTreeOf(DEFINITIONS[environment]));
      if (!proof.ok) {
        io.stderr.write(`error: the answer does not prove every hop of ${environment}'s path: ${proof.why}\n`);
        return 1;
      }
      io.stderr.write(`${environment}: every hop answered: ${proof.hops.join(' → ')}\n`);
      return 0;
    }
  }
}
