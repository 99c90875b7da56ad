/** Prometheus (Debian's), the Flagger loadtester and Flagger, as processes next to the control plane. */
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { MeshProvider } from '@canaryship/blocks';
import { stringify } from 'yaml';
import type { Binaries } from './binaries.js';
import { freePort } from '../ports.js';
import { httpOk, waitUntil, type ProcessGroup } from '../processes.js';

export interface LocalPrometheus {
  readonly url: string;
  /** Scrapes from now on every `seconds`, as the chosen environment's Prometheus does (a config reload). */
  setScrapeInterval(seconds: number): Promise<void>;
}

export async function startPrometheus(binaries: Binaries, processes: ProcessGroup, workDir: string, scrapeTarget: string, scrapeIntervalSeconds: number): Promise<LocalPrometheus> {
  const port = await freePort();
  const dir = join(workDir, 'prometheus');
  await mkdir(dir, { recursive: true });
  const config = join(dir, 'prometheus.yml');
  const configure = (seconds: number) =>
    writeFile(
      config,
      stringify({
        global: { scrape_interval: `${seconds}s`, evaluation_interval: `${seconds}s` },
        scrape_configs: [{ job_name: 'dataplane', honor_labels: true, static_configs: [{ targets: [scrapeTarget] }] }],
      }),
    );
  await configure(scrapeIntervalSeconds);
  processes.start('prometheus', binaries.prometheus, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-lifecycle', '--log.level=warn']);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil('prometheus readiness', () => httpOk(`${url}/-/ready`), 60_000, processes);
  return {
    url,
    async setScrapeInterval(seconds) {
      await configure(seconds);
      const response = await fetch(`${url}/-/reload`, { method: 'POST' });
      if (!response.ok) throw new Error(`prometheus refused to reload its configuration: ${response.status} ${await response.text()}`);
    },
  };
}

// The package's bin/ found by its own name, so the same code runs from src/ (tests) and from the bundle in dist/.
const HEY_WRAPPER_DIR = join(dirname(createRequire(import.meta.url).resolve('@canaryship/cluster/package.json')), 'bin');

/** The real loadtester; its curl goes through the cluster network proxy, and so does its real hey (bin/hey adds -x). */
export async function startLoadtester(binaries: Binaries, processes: ProcessGroup, options: { port: number; proxy: string }): Promise<void> {
  processes.start('loadtester', binaries.loadtester, [`-port=${options.port}`, '-timeout=1h', '-log-level=info'], {
    ...proxyEnv(options.proxy),
    PATH: `${HEY_WRAPPER_DIR}:${process.env['PATH'] ?? ''}`,
    CANARYSHIP_HEY: binaries.hey,
    CANARYSHIP_PROXY: options.proxy,
  });
  await waitUntil('loadtester health', () => httpOk(`http://127.0.0.1:${options.port}/healthz`), 30_000, processes);
}

export const proxyEnv = (proxy: string): NodeJS.ProcessEnv => ({ HTTP_PROXY: proxy, http_proxy: proxy, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' });

export async function startFlagger(binaries: Binaries, processes: ProcessGroup, options: { kubeconfig: string; provider: MeshProvider; prometheus: string; namespace: string; proxy: string }): Promise<string> {
  const name = `flagger-${options.provider.replace(/[^a-z]/g, '')}`;
  // Its metrics and health server on a port of its own: the two cluster suites each run a Flagger at once.
  const port = await freePort();
  processes.start(
    name,
    binaries.flagger,
    [
      `-kubeconfig=${options.kubeconfig}`,
      `-mesh-provider=${options.provider}`,
      `-metrics-server=${options.prometheus}`,
      `-namespace=${options.namespace}`,
      `-port=${port}`,
      '-log-level=info',
      '-enable-config-tracking=true',
    ],
    proxyEnv(options.proxy),
  );
  return name;
}
