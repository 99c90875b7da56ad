/**
 * The kind workflow cannot run here (no containers). What can be checked is checked: every
 * provider-path command the workflow and README run parses with the step's own parser (a renamed
 * option or step fails here, not on GitHub), the steps come in a provider's order, and README
 * states the versions the workflow pins.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callTreeOf, parseStep, rolesOf, type CallTree, type Step } from '@canaryship/cluster';
import { MESHES, moduleDir, moduleSum } from '@canaryship/toolchain';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFINITIONS, ENVIRONMENT_NAMES, ROOT, unusedName, type Env } from '../support/distribution.js';

interface Workflow {
  env: Record<string, string>;
  jobs: { kind: { strategy: { matrix: { environment: string[] } }; steps: { name?: string; run?: string; if?: string; uses?: string; with?: Record<string, string> }[] } };
}

const workflow = parse(readFileSync(join(ROOT, '.github/workflows/e2e.yml'), 'utf8')) as Workflow;
const testingDoc = readFileSync(join(ROOT, 'docs/testing.md'), 'utf8');
const PROVIDER_PATH = 'node tools/cluster/bin/provider-path.js';

/** A run line's words, the way bash splits these simple lines: double quotes group, $VARS expand. */
const words = (line: string, vars: Readonly<Record<string, string>>): string[] =>
  [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => (m[1] ?? m[2] ?? '').replace(/\$\{?([A-Z_]+)\}?/g, (_, name: string) => vars[name] ?? `<unset ${name}>`));

const stepsIn = (lines: readonly string[], vars: Readonly<Record<string, string>>): Step[] =>
  lines.filter((line) => line.startsWith(PROVIDER_PATH)).map((line) => {
    const parsed = parseStep(words(line.slice(PROVIDER_PATH.length), vars), ROOT);
    if (parsed === 'help') throw new Error(`${line} asks for help`);
    return parsed;
  });

describe('the kind workflow', () => {
  it.each(workflow.jobs.kind.strategy.matrix.environment)('%s: every provider-path step parses, in the order a provider takes them', (environment) => {
    const vars = { ...workflow.env, ENVIRONMENT: environment };
    const steps = stepsIn(
      workflow.jobs.kind.steps.filter((s) => s.run && !s.if).map((s) => s.run!.trim()),
      vars,
    );
    expect(steps.map((s) => (s.step === 'release' ? `release ${s.release.faulty ? 'faulty' : 'good'} → ${s.expect}` : s.step))).toEqual([
      'publish',
      'subscribe',
      'initialised',
      'release good → promoted',
      'release faulty → rolled-back',
    ]);
    for (const step of steps) expect(step.environment).toBe(environment);
    // Both releases are of the service whose calls make the path longest to judge: the app's, not a name in the workflow.
    const { caller } = rolesOf(callTreeOf(DEFINITIONS[environment as Env]));
    expect(steps.flatMap((s) => (s.step === 'release' ? [s.release.service] : []))).toEqual([caller, caller]);
    // Flux in the cluster pulls what was published to the same registry, through its in-cluster name.
    const subscribe = steps.find((s) => s.step === 'subscribe');
    expect(subscribe).toMatchObject({ repository: `${workflow.env['IN_CLUSTER_REGISTRY']}/webapp/${environment}`, insecure: true, quickAnalysis: true });
    const diagnostics = workflow.jobs.kind.steps.find((s) => s.if === 'failure()');
    expect(stepsIn([diagnostics?.run?.trim() ?? ''], vars)).toMatchObject([{ step: 'diagnose' }]);
  });

  it('covers every environment', () => {
    expect([...workflow.jobs.kind.strategy.matrix.environment].sort()).toEqual([...ENVIRONMENT_NAMES].sort());
  });

  it("docs/testing.md's laptop commands parse, and it states the versions the workflow pins", () => {
    const laptop = testingDoc.slice(testingDoc.indexOf('On a laptop with Docker'));
    const block = laptop.slice(laptop.indexOf('```sh') + 5, laptop.indexOf('```', laptop.indexOf('```sh') + 5));
    const steps = stepsIn(block.split('\n').map((l) => l.trim()), {});
    expect(steps.map((s) => s.step)).toEqual(['publish', 'subscribe', 'initialised', 'release']);
    const nodeVersion = /kindest\/node:(v[\d.]+)@/.exec(workflow.env['KIND_NODE_IMAGE'] ?? '')?.[1];
    expect(block).toContain(`kindest/node:${nodeVersion}`);
    const section = testingDoc.slice(testingDoc.indexOf('### End-to-end on kind'));
    expect(section).toContain(`kind (${workflow.env['KIND_VERSION']}, Kubernetes ${nodeVersion?.slice(1)}`);
    expect(section).toContain(`Flux ${workflow.env['FLUX_VERSION']}`);
    expect(section).toContain(`Istio ${MESHES.istio.version}`);
    expect(section).toContain(`Linkerd ${MESHES.linkerd.version}`);
    expect(section).toContain(`Gateway API ${MESHES.gatewayApi.version}`);
  });
});

describe("the kind workflow's mesh installers", () => {
  const script = readFileSync(join(ROOT, 'tools/e2e/install-mesh.sh'), 'utf8');

  it('pin each installer by content: a module version or commit, never a tag or a URL piped into a shell', () => {
    expect(script).not.toMatch(/curl|wget|https?:\/\//);
    expect(MESHES.istio.moduleVersion).toMatch(/^v0\.0\.0-\d{14}-[0-9a-f]{12}$/);
    expect(MESHES.linkerd.commit).toMatch(/^[0-9a-f]{40}$/);
    for (const sum of [MESHES.istio.sum, MESHES.gatewayApi.sum]) expect(sum).toMatch(/^h1:[A-Za-z0-9+/]{43}=$/);
  });

  it('hold the Gateway API module to the checksum Go verified against its checksum database here, and apply CRDs it has', async () => {
    // `canaryship setup test` downloaded it, so Go's own record answers without the network.
    expect(await moduleSum('gatewayApi')).toBe(MESHES.gatewayApi.sum);
    const crds = join(await moduleDir('gatewayApi'), 'config/crd/standard');
    expect(script).toContain('config/crd/standard/');
    for (const kind of ['httproutes', 'grpcroutes', 'gateways']) expect(existsSync(join(crds, `gateway.networking.k8s.io_${kind}.yaml`)), kind).toBe(true);
  });

  it('refuse a module whose checksum is not the pinned one, naming both, before installing anything', () => {
    const dir = mkdtempSync(join(tmpdir(), 'canaryship-mesh-'));
    // Stand-ins for go (a module with another checksum), and for what must not run after the refusal.
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin/go'), `#!/bin/sh\nprintf '{"Dir":"%s","Sum":"h1:other"}' "${dir}"\n`, { mode: 0o755 });
    writeFileSync(join(dir, 'bin/kubectl'), `#!/bin/sh\ntouch "${dir}/kubectl-ran"\n`, { mode: 0o755 });
    const result = spawnSync('bash', [join(ROOT, 'tools/e2e/install-mesh.sh'), 'istio'], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}/bin:${process.env['PATH']}`, RUNNER_TEMP: dir } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${MESHES.istio.module}@${MESHES.istio.moduleVersion} has checksum h1:other, not the pinned ${MESHES.istio.sum}`);
    expect(existsSync(join(dir, 'kubectl-ran'))).toBe(false);
  });
});

const ECHO = '{"canaryship":"canaryship-user-e2e"}';
/** What podinfo answers a user's echo through `tree`: at an end of the path what that service answers (the echo), elsewhere a JSON list of the answers of those it calls. */
const answerOf = (tree: CallTree, end: (name: string) => string = () => ECHO): string =>
  tree.calls.length === 0 ? end(tree.name) : JSON.stringify(tree.calls.map((next) => answerOf(next, end)));
/** The ends of the path: services that call no one. */
const endsOf = (tree: CallTree): string[] => (tree.calls.length === 0 ? [tree.name] : tree.calls.flatMap(endsOf));

describe("the kind workflow's traffic-path check, with kubectl answering as the cluster would", () => {
  /** Runs tools/e2e/traffic-path.sh with a kubectl that answers the user's request with `answer` and refuses the intruder. */
  const trafficPath = (environment: Env, answer: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'canaryship-path-'));
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'answer'), answer);
    writeFileSync(join(dir, 'bin/kubectl'), `#!/bin/sh
case "$*" in
  *"run user-"*) cat "${dir}/answer" ;;
  *"run intruder-"*) echo "intruder asked $*" >"${dir}/intruder"; echo curl-exit=7 ;;
  *) cat >/dev/null ;;
esac
`, { mode: 0o755 });
    const result = spawnSync('bash', [join(ROOT, 'tools/e2e/traffic-path.sh')], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}/bin:${process.env['PATH']}`, ENVIRONMENT: environment } });
    return { ...result, intruder: existsSync(join(dir, 'intruder')) ? readFileSync(join(dir, 'intruder'), 'utf8') : '' };
  };

  it.each(ENVIRONMENT_NAMES)("%s: passes when the answer comes back from every hop of the app's path, and tries the front service without the entry", (environment) => {
    const tree = callTreeOf(DEFINITIONS[environment]);
    const result = trafficPath(environment, answerOf(tree.calls[0]!));
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain(`${environment}: every hop answered: entry → ${DEFINITIONS[environment].entry.upstream} → `);
    expect(result.intruder).toContain(`http://${DEFINITIONS[environment].entry.upstream}.webapp:9898/`);
  });

  it('fails, naming the hop, when one end of the path did not answer', () => {
    const tree = callTreeOf(DEFINITIONS.istio);
    const last = endsOf(tree).at(-1)!;
    // The last end of the path answers an error page instead of the user's echo.
    const result = trafficPath('istio', answerOf(tree.calls[0]!, (name) => (name === last ? 'upstream connect error' : ECHO)));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`error: the answer does not prove every hop of istio's path: ${last} answered upstream connect error`);
    expect(result.intruder).toBe('');
  });
});

describe('provider-path steps refuse what they cannot run, before touching a cluster', () => {
  const base = ['--environment', 'istio', '--workspace', '/tmp/w', '--registry', '127.0.0.1:5000', '--version', '1.1.0'];
  it.each([
    [['release', ...base, '--expect', 'maybe'], /--expect: "maybe" is not promoted or rolled-back/],
    [['release', ...base, '--service', unusedName('payments'), '--expect', 'promoted'], new RegExp(`--service: istio has no service "${unusedName('payments')}"`)],
    [['publish', ...base, '--service', unusedName('payments')], new RegExp(`--service: istio has no service "${unusedName('payments')}"`)],
    [['publish', ...base, '--faulty'], /--faulty needs --service/],
    [['publish', '--environment', 'openshift'], /--environment: "openshift" is not one of kubernetes, istio, linkerd/],
    [['publish', ...base.slice(0, -1), '1.1'], /--version: "1.1" is not MAJOR\.MINOR\.PATCH/],
    [['subscribe', '--environment', 'istio', '--repository', 'r/webapp/istio', '--version', '1.0.0', '--poll', 'soon'], /--poll: "soon" is not a duration/],
    [['rollout', '--environment', 'istio'], /unknown step "rollout"/],
  ])('%j', (args, message) => {
    expect(() => parseStep(args, ROOT)).toThrow(message);
  });
});

describe('the provider-path command line', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'tools/cluster/bin/provider-path.js'), ...args], { cwd: ROOT, encoding: 'utf8' });

  it('answers wrong arguments with exit 2, the reason and the usage', () => {
    const result = run('release', '--environment', 'istio');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^error: --expect is required\n\nUsage: canaryship-provider-path <step>/);
    expect(run('release', '--bogus').status).toBe(2);
  });

  it("never commits into a directory that is not its own workspace (someone's repository)", () => {
    const state = () => ['rev-parse HEAD', 'status --porcelain environments/istio'].map((command) => spawnSync('git', command.split(' '), { cwd: ROOT, encoding: 'utf8' }).stdout);
    const before = state();
    const result = run('publish', '--environment', 'istio', '--workspace', ROOT, '--registry', '127.0.0.1:5000', '--version', '9.9.9');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`error: ${ROOT} is not a provider-path workspace (no .canaryship-workspace), and not empty`);
    expect(state()).toEqual(before);
  });

  /** A repository with a commit and a file its owner staged, as someone's own work looks. */
  const someonesRepository = (): string => {
    const outer = mkdtempSync(join(tmpdir(), 'canaryship-outer-'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=someone', '-c', 'user.email=someone@example.invalid', ...args], { cwd: outer, encoding: 'utf8' });
    git('init', '--quiet');
    writeFileSync(join(outer, 'notes.txt'), 'mine\n');
    git('add', 'notes.txt');
    git('commit', '--quiet', '-m', 'my work');
    writeFileSync(join(outer, 'staged.txt'), 'staged, not yet committed\n');
    git('add', 'staged.txt');
    return outer;
  };
  const history = (repo: string) => ({
    log: execFileSync('git', ['log', '--format=%s'], { cwd: repo, encoding: 'utf8' }),
    staged: execFileSync('git', ['diff', '--cached', '--name-only'], { cwd: repo, encoding: 'utf8' }),
  });
  const publishInto = (workspace: string, env?: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, [join(ROOT, 'tools/cluster/bin/provider-path.js'), 'publish', '--environment', 'istio', '--workspace', workspace, '--registry', '127.0.0.1:1', '--version', '9.9.9'], { cwd: ROOT, encoding: 'utf8', ...(env && { env }) });

  it("commits into a workspace's own repository only, never into one around it", () => {
    const outer = someonesRepository();
    const workspace = join(outer, 'releases');
    // What a workspace whose .git went missing looks like: the mark and the package, no repository of its own.
    mkdirSync(join(workspace, 'environments/istio'), { recursive: true });
    writeFileSync(join(workspace, '.canaryship-workspace'), '');
    writeFileSync(join(workspace, 'environments/istio/package.json'), JSON.stringify({ name: '@canaryship/env-istio', version: '1.0.0' }));
    const result = publishInto(workspace);
    expect(result.stderr).toBe(`error: ${workspace} is not a repository of its own: git would commit into ${realpathSync(outer)}\n  give a new or empty directory: provider-path commits its releases there\n`);
    expect(result.status).toBe(2);
    expect(history(outer)).toEqual({ log: 'my work\n', staged: 'staged.txt\n' });
  });

  it('a new workspace inside a repository is a repository of its own, and the outer one is left as it was', () => {
    const outer = someonesRepository();
    const workspace = join(outer, 'releases');
    // No registry answers on port 1: the release commit is made, the upload fails.
    expect(publishInto(workspace).status).toBe(1);
    expect(history(workspace).log).toBe('release 9.9.9\n');
    expect(history(outer)).toEqual({ log: 'my work\n', staged: 'staged.txt\n' });
  });

  it('a git that fails is one line and exit 1, and leaves no workspace mark and no half-made repository', () => {
    const bin = mkdtempSync(join(tmpdir(), 'canaryship-git-'));
    writeFileSync(join(bin, 'git'), '#!/bin/sh\nmkdir -p .git/objects\necho "fatal: cannot mkdir .git/refs: No space left on device" >&2\nexit 128\n', { mode: 0o755 });
    const workspace = join(mkdtempSync(join(tmpdir(), 'canaryship-ws-')), 'new');
    const result = publishInto(workspace, { ...process.env, PATH: `${bin}:${process.env['PATH']}` });
    expect(result.stderr).toBe(`error: git init --quiet in ${workspace} failed: fatal: cannot mkdir .git/refs: No space left on device\n`);
    expect(result.status).toBe(1);
    expect(existsSync(workspace)).toBe(false);
  });

  it('answers a step that cannot finish with exit 1, what it waited for and why the last check failed, not a stack trace', () => {
    const result = run('initialised', '--environment', 'istio', '--kubeconfig', join(ROOT, 'no-such-kubeconfig'), '--timeout-minutes', '0.01');
    expect(result.status).toBe(1);
    // kubectl's own words after the command line, whichever kubectl is on PATH.
    expect(result.stderr).toMatch(/^error: timed out after 0\.6s waiting for Canaries in webapp; last seen: none; the last check failed: kubectl get canaries -n webapp -o json: [^\n]*no-such-kubeconfig[^\n]*\n$/);
  });
});
