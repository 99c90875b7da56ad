/**
 * Upstream files the cluster needs, from their Go modules at pinned versions (never committed):
 * CRDs of Flagger, Istio networking, Gateway API and Flux, and kwok's stages that make pods Ready.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FLAGGER_VERSION } from '@canaryship/blocks';
import { goModuleDir } from '@canaryship/validate';

/** The CRD versions the providers in our environments need. */
export const GATEWAY_API_VERSION = 'v1.3.0';
export const ISTIO_API_VERSION = 'v1.27.0';
/** Flux's source-controller and kustomize-controller, for the provider-side objects (examples/flux). */
export const FLUX_CONTROLLERS_VERSION = 'v1.9.1';

/** kwok is pinned once, in the control plane's build script. */
export async function kwokVersion(): Promise<string> {
  const script = await readFile(fileURLToPath(new URL('../../control-plane/build.sh', import.meta.url)), 'utf8');
  const version = /^KWOK_VERSION=(v[\d.]+)$/m.exec(script)?.[1];
  if (!version) throw new Error('KWOK_VERSION not found in tools/control-plane/build.sh');
  return version;
}

export async function crdFiles(): Promise<string[]> {
  const flagger = await goModuleDir('github.com/fluxcd/flagger', `v${FLAGGER_VERSION}`);
  const gateway = await goModuleDir('sigs.k8s.io/gateway-api', GATEWAY_API_VERSION);
  const istio = await goModuleDir('istio.io/api', ISTIO_API_VERSION);
  const source = await goModuleDir('github.com/fluxcd/source-controller', FLUX_CONTROLLERS_VERSION);
  const kustomize = await goModuleDir('github.com/fluxcd/kustomize-controller', FLUX_CONTROLLERS_VERSION);
  return [
    join(source, 'config/crd/bases/source.toolkit.fluxcd.io_ocirepositories.yaml'),
    join(kustomize, 'config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml'),
    join(flagger, 'artifacts/flagger/crd.yaml'),
    ...['httproutes', 'gateways', 'gatewayclasses', 'referencegrants'].map((k) => join(gateway, `config/crd/standard/gateway.networking.k8s.io_${k}.yaml`)),
    join(istio, 'kubernetes/customresourcedefinitions.gen.yaml'),
  ];
}

/** kwok's own stages: nodes become Ready, pods become Running and Ready, deletions complete. */
export async function kwokStages(): Promise<string> {
  const stage = join(await goModuleDir('sigs.k8s.io/kwok', await kwokVersion()), 'kustomize/stage');
  const files = ['node/fast/node-initialize.yaml', 'node/heartbeat/node-heartbeat.yaml', 'pod/fast/pod-ready.yaml', 'pod/fast/pod-complete.yaml', 'pod/fast/pod-delete.yaml'];
  const parts = await Promise.all(files.map((f) => readFile(join(stage, f), 'utf8')));
  return parts.map((p) => `---\n${p}`).join('\n');
}
