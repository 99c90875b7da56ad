/**
 * Every command of the CLI, in help order: usage, description and examples here, the code in the
 * command's own module, loaded only when that command runs.
 */
import type { CommandSpec } from '../command.js';
import { DEFAULT_LAYOUT, DEFAULT_TIMEOUT_SECONDS, BUNDLE_HELP, IMAGE_MIRROR_HELP, REGISTRY_OPTIONS_HELP, SIGNATURE_HELP } from './defaults.js';

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'render',
    usage: 'render [DIR] [--out OUT] [--json]',
    description: `Render the distribution the environment package in DIR (default: .) declares into DIR/dist
(or OUT). Nothing is written unless every service input is valid; OUT must be absent, empty, or a
previous render (anything else is refused, never deleted).`,
    examples: ['canaryship render environments/istio', 'canaryship render environments/linkerd --out /tmp/linkerd --json'],
    load: () => import('./render.js'),
  },
  {
    name: 'validate',
    usage: 'validate DIR... [--overlay [--release DIR]] [--layer NAME]... [--no-cache] [--json]',
    description: `Check rendered distributions: schema (Kubernetes OpenAPI and Flagger CRDs, unknown fields),
references, policy (Pod Security restricted and more), kustomize, SLO queries (promtool).
Exit 1 on any error. Needs \`canaryship setup validate\` once (promtool, kustomize, schemas).
A distribution whose files are those this build of canaryship validated before, with the same
layers, keeps that run's findings (said as "unchanged since validated"); --no-cache checks it again.
With --overlay, each DIR is a provider's kustomize overlay over a distribution (resources,
components, patches, …): what kustomize builds from it goes through the same layers, and a patch
that changes nothing (a misspelt target, which kustomize and Flux skip without a word) is an error.
An overlay of a provider bundle (the subscription) holds its customisations as patches of the
app's Flux Kustomization: give --release DIR, the release as flux pull artifact leaves it, and
those are checked the same way, against it, and what Flux would apply goes through the layers.`,
    examples: ['canaryship validate environments/*/dist', 'canaryship validate environments/istio/dist --layer policy --layer references --json', 'canaryship validate --overlay clusters/eu-1/webapp', 'canaryship validate --overlay clusters/eu-1 --release /tmp/webapp-1.4.2'],
    load: () => import('./validate.js'),
  },
  {
    name: 'build-affected',
    usage: 'build-affected [--base REF] [--head REF] [--json]',
    description: `Ask Nx which environment packages a change affects (default base: main), render those and
every one whose dist/ is no longer what its sources render (a revert after a build), and print them.
Services, blocks and tools that changed are rebuilt on the way.`,
    examples: ['npm run build:affected -- --base origin/main', 'canaryship build-affected --base HEAD~1 --json'],
    load: () => import('./build-affected.js'),
  },
  {
    name: 'pin-images',
    usage: 'pin-images [DIR...] [--image-mirror REGISTRY=[http://]HOST[:PORT][/PREFIX]]... [--check] [--timeout SECONDS] [--json]',
    description: `Resolve every image the rendered distributions of DIR (default: every environment package) run,
by tag, to the digest of what its registry serves now, and write them to
packages/blocks/src/images.lock.json; render then writes image:tag@digest, so providers run
exactly what was tested. Run from the repository's root. A tag no registry has fails the run,
naming where it is used, and the lock is left as it was. With --check, only say whether every
image is pinned (no network): release refuses a distribution with an image that is not.`,
    examples: ['canaryship pin-images && npm run build', 'canaryship pin-images --check', 'canaryship pin-images --image-mirror ghcr.io=http://127.0.0.1:5000'],
    options: [
      IMAGE_MIRROR_HELP,
      { flag: '--check', says: 'write nothing and reach no registry: exit 1 when an image is not pinned' },
      { flag: '--timeout SECONDS', says: `longest one request may take (default ${DEFAULT_TIMEOUT_SECONDS}); an operation, retries included, twice that` },
      { flag: '--json', says: 'the result (or the failure) as JSON on stdout' },
    ],
    load: () => import('./pin-images.js'),
  },
  {
    name: 'publish',
    usage: 'publish DIR... [--registry HOST[:PORT][/PREFIX]] [--insecure] [--bundle [--signed-by WORKFLOW_URL | --signed-by-key SECRET]] [--layout DIR] [--timeout SECONDS] [--json]',
    description: `Publish each environment package's dist/ as <registry>/webapp/<env>:<version>. Always into the
local OCI layout (default ${DEFAULT_LAYOUT}); with --registry, then pushed from it; with --bundle,
the provider bundle for that version beside it, <registry>/webapp/<env>/bundle:<version> (what
canaryship bundle renders; a provider fetches it with flux pull artifact; release always does this).
A version that exists with other content is refused; with the same content nothing is uploaded.
Credentials: CANARYSHIP_REGISTRY_USERNAME/PASSWORD or the Docker config file (never in --registry).
The release time and commit come from the commit that last changed the package's package.json
(full git history needed; SOURCE_DATE_EPOCH overrides the time).`,
    examples: [
      'canaryship publish environments/istio',
      'canaryship publish environments/* --registry ghcr.io/acme --json',
      'canaryship publish environments/kubernetes --registry 127.0.0.1:5000 --insecure',
    ],
    options: [...REGISTRY_OPTIONS_HELP.slice(0, 2), BUNDLE_HELP, ...SIGNATURE_HELP, ...REGISTRY_OPTIONS_HELP.slice(2)],
    load: () => import('./publish.js'),
  },
  {
    name: 'diff',
    usage: 'diff DIR --version X.Y.Z [--registry HOST[:PORT][/PREFIX]] [--insecure] [--layout DIR] [--timeout SECONDS] [--json]',
    description: `Compare the environment package's dist/ with a published version (from the registry, or the
local layout). "unchanged" means the artifact layer is byte-identical, exactly what publish checks;
otherwise the changed files and objects. Exit 0 when unchanged, 1 when they differ, 2 when it
cannot tell (not published, unreachable, bad arguments).`,
    examples: ['canaryship diff environments/istio --version 0.1.0', 'canaryship diff environments/linkerd --version 0.2.0 --registry ghcr.io/acme --json'],
    options: REGISTRY_OPTIONS_HELP,
    load: () => import('./diff.js'),
  },
  {
    name: 'contract',
    usage: 'contract DIR [--version X.Y.Z] [--against X.Y.Z] [--registry HOST[:PORT][/PREFIX]] [--insecure] [--layout DIR] [--timeout SECONDS] [--json]',
    description: `Compare the environment package's dist/ with the last published version before VERSION (default:
the package's version; --against names one) for what providers rely on: objects removed or
renamed, containers or ports renamed, selectors changed, and every customisation a provider may
have patched in that no longer applies. Exit 1 when something breaks and VERSION is not a new
major (for 0.x, minor) version, which release refuses too.`,
    examples: ['canaryship contract environments/istio', 'canaryship contract environments/linkerd --version 2.0.0 --registry ghcr.io/acme --json'],
    options: REGISTRY_OPTIONS_HELP,
    load: () => import('./contract.js'),
  },
  {
    name: 'release',
    usage: 'release [--check] [--registry HOST[:PORT][/PREFIX]] [--insecure] [--signed-by WORKFLOW_URL | --signed-by-key SECRET] [--image-mirror REGISTRY=[http://]HOST[:PORT][/PREFIX]]... [--layout DIR] [--timeout SECONDS] [--json]',
    description: `Apply pending changesets (a service bump bumps every environment that depends on it), commit,
render and validate the environments with new versions, publish them (each with its provider
bundle beside it, as publish does), and tag git
(<package>@<version>). Rerunning finishes an interrupted release. First, and alone with --check:
each environment the changesets release is compared with its last published version (see
contract); a breaking change without a major bump stops the release before anything is written,
as does an image not pinned to a digest (see pin-images) or one its registry no longer serves.`,
    examples: ['npm run release -- --registry ghcr.io/acme', 'canaryship release --check --registry ghcr.io/acme', 'canaryship release --registry 127.0.0.1:5000 --insecure --json'],
    options: [...REGISTRY_OPTIONS_HELP.slice(0, 2), ...SIGNATURE_HELP, IMAGE_MIRROR_HELP, ...REGISTRY_OPTIONS_HELP.slice(2)],
    load: () => import('./release.js'),
  },
  {
    name: 'bundle',
    usage: 'bundle DIR --registry HOST[:PORT][/PREFIX] [--insecure] [--version X.Y.Z] [--signed-by WORKFLOW_URL | --signed-by-key SECRET] [--out OUT] [--json]',
    description: `Render the provider bundle of the environment package in DIR into DIR/provider (or OUT): the
Flux OCIRepository and Kustomization objects a provider applies once (kubectl apply -k) to install
Flagger for the environment and follow <registry>/webapp/<env> through every minor and patch
release of VERSION's major (for 0.x, the patch releases of its minor; VERSION defaults to the
package's version), and customise/NAME/, one example of
each customisation as a kustomize Component a provider lists in their own overlay (they combine,
but for the namespace move with the manual gate or notifications). With --signed-by, Flux applies only releases signed
keyless by that GitHub workflow (on refs/heads/main); with --signed-by-key, only those signed by the
key whose public half is in that Secret of flux-system.`,
    examples: ['canaryship bundle environments/istio --registry ghcr.io/acme', 'canaryship bundle environments/kubernetes --registry 127.0.0.1:5000 --insecure --out /tmp/bundle',
      'canaryship bundle environments/linkerd --registry ghcr.io/acme --signed-by https://github.com/acme/webapp/.github/workflows/release.yml'],
    load: () => import('./bundle.js'),
  },
  {
    name: 'summary',
    usage: 'summary (--base REF | DIR...) [--registry HOST[:PORT][/PREFIX]] [--insecure] [--layout DIR] [--timeout SECONDS] [--json]',
    description: `A pull request's review of what providers will receive, as Markdown for $GITHUB_STEP_SUMMARY:
for each environment Nx finds affected since REF (or each DIR), the objects that differ from the
last published version, the contract verdict and the changeset bump it needs, the validation
findings, the images release would refuse (not pinned to a digest), and the plan of every Canary
whose analysis changed, old against new. A dist/ older than its sources is
refused (exit 1): run build-affected first. Otherwise exit 0: the checks that fail a change are release
--check and validate.`,
    examples: ['canaryship summary --base origin/main --registry ghcr.io/acme >> "$GITHUB_STEP_SUMMARY"', 'canaryship summary environments/istio --json'],
    options: REGISTRY_OPTIONS_HELP,
    load: () => import('./summary.js'),
  },
  {
    name: 'plan',
    usage: 'plan DIR [--svg OUT] [--json]',
    description: `For every Canary of the distribution or kustomize overlay in DIR (built with the pinned kustomize,
so a provider's patches count): when a good release is promoted, how soon after a first failed
check a bad one is rolled back, and the highest share of users the new version reaches (for A/B,
which requests). Predicted from Flagger 1.44's schedule as measured; --svg writes a chart per
Canary (OUT/<namespace>.<name>.svg) with the predicted weight over time.`,
    examples: ['canaryship plan environments/istio/dist', 'canaryship plan my-overlay --svg charts', 'canaryship plan environments/linkerd/dist --json'],
    load: () => import('./plan.js'),
  },
  {
    name: 'new-service',
    usage: 'new-service NAME',
    description: `Scaffold packages/NAME in this repository (from any folder inside it): a service package with a
valid input and blue/green everywhere. Then add it to the environments' services lists and run npm install.`,
    examples: ['canaryship new-service payments'],
    load: () => import('./new-service.js'),
  },
  {
    name: 'setup',
    usage: 'setup [SUITE...] [--json]',
    description: `Provision the pinned programs a suite runs (validate, test, cluster; default: validate), built
from their Go modules into ~/.cache/canaryship, and the upstream modules whose schemas and CRDs
they read. Needs Go; shellcheck comes from Debian (installed when run as root).`,
    examples: ['canaryship setup validate', 'canaryship setup test cluster --json'],
    load: () => import('./setup.js'),
  },
];

export { DEFAULT_LAYOUT };
