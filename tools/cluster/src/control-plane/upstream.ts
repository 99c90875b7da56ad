/**
 * Upstream files the cluster needs, from pinned Go modules (never committed): CRDs of Flagger,
 * Istio networking, Gateway API and Flux, and kwok's stages that make pods Ready. Versions live in
 * @canaryship/toolchain; `canaryship setup cluster` downloads the modules.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { moduleDir } from '@canaryship/toolchain';

export async function crdFiles(): Promise<string[]> {
  const [flagger, gateway, istio, source, kustomize] = await Promise.all(
    (['flagger', 'gatewayApi', 'istioApi', 'fluxSource', 'fluxKustomize'] as const).map((name) => moduleDir(name)),
  );
  // Every CRD of both Flux controllers: each refuses to start while one of its kinds is not served.
  const flux = async (dir: string) => (await readdir(join(dir, 'config/crd/bases'))).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(dir, 'config/crd/bases', f));
  return [
    ...(await flux(source!)),
    ...(await flux(kustomize!)),
    join(flagger!, 'artifacts/flagger/crd.yaml'),
    ...['httproutes', 'gateways', 'gatewayclasses', 'referencegrants'].map((k) => join(gateway!, `config/crd/standard/gateway.networking.k8s.io_${k}.yaml`)),
    join(istio!, 'kubernetes/customresourcedefinitions.gen.yaml'),
  ];
}

/** kwok's own stages: nodes become Ready, pods become Running and Ready, deletions complete. */
export async function kwokStages(): Promise<string> {
  const stage = join(await moduleDir('kwok'), 'kustomize/stage');
  const files = ['node/fast/node-initialize.yaml', 'node/heartbeat/node-heartbeat.yaml', 'pod/fast/pod-ready.yaml', 'pod/fast/pod-complete.yaml', 'pod/fast/pod-delete.yaml'];
  const parts = await Promise.all(files.map((f) => readFile(join(stage, f), 'utf8')));
  return parts.map((p) => `---\n${p}`).join('\n');
}
