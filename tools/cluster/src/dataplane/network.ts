/**
 * How processes outside the model reach the cluster's network: HTTP proxies on loopback, one per
 * caller, so the data plane knows who is calling. Flagger (its webhooks and Prometheus queries) and
 * the real loadtester (its curl through HTTP_PROXY, its hey through `-x`) each get one. Prometheus
 * addresses go to the local Prometheus; the loadtester's address goes to the real loadtester, if a
 * NetworkPolicy admits the caller; every other in-cluster address goes into the data plane.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { FLAGGER_POD_LABELS } from '@canaryship/blocks';
import { freePort } from '../ports.js';
import { podOf, type DataPlane } from './mesh.js';
import { admits, describePeer, type Peer } from './network-policy.js';
import { endpoints, serviceOf } from './routing.js';
import type { Snapshot } from './state.js';

export interface WebhookCall {
  readonly at: number;
  readonly name: string;
  readonly namespace: string;
  readonly phase: string;
  /** The loadtester's endpoint: `/` runs a command, `/gate/check` asks a manual gate. */
  readonly path: string;
  /** `load` (a hey command), or the blocking checks. */
  readonly hook: 'load' | 'check';
  readonly status: number;
}

export interface ClusterNetwork {
  /** `http://127.0.0.1:<port>`: HTTP_PROXY for Flagger. */
  readonly flaggerProxy: string;
  /** HTTP_PROXY (and hey's -x) for the loadtester. */
  readonly loadtesterProxy: string;
  readonly webhooks: WebhookCall[];
  close(): Promise<void>;
}

export interface NetworkOptions {
  readonly dataPlane: DataPlane;
  readonly snapshot: () => Snapshot;
  /** `host:port` of each environment's in-cluster Prometheus address → the local Prometheus port. */
  readonly prometheus: ReadonlyMap<string, number>;
  readonly loadtesterPort: number;
  /** The namespace Flagger runs in, for the current environment. */
  readonly flaggerNamespace: () => string;
  /** The loadtester's pod label (`app`), to speak for it in the data plane. */
  readonly loadtesterWorkload: string;
}

const forward = (req: IncomingMessage, body: Buffer, port: number, url: URL, res: ServerResponse, onDone?: (status: number) => void): void => {
  const upstream = httpRequest({ host: '127.0.0.1', port, method: req.method, path: url.pathname + url.search, headers: { ...req.headers, host: `127.0.0.1:${port}` } }, (response) => {
    res.writeHead(response.statusCode ?? 502, response.headers as IncomingHttpHeaders);
    response.pipe(res);
    response.on('end', () => onDone?.(response.statusCode ?? 502));
  });
  upstream.on('error', (e) => {
    if (!res.headersSent) res.writeHead(502).end(String(e));
    onDone?.(502);
  });
  upstream.end(body);
};

export async function startNetwork(options: NetworkOptions): Promise<ClusterNetwork> {
  const webhooks: WebhookCall[] = [];

  const listener = async (peer: () => Peer): Promise<{ url: string; server: Server }> => {
    const server = createServer((req, res) => {
      let url: URL;
      try {
        url = new URL(req.url ?? '');
      } catch {
        res.writeHead(400).end('a proxy request names an absolute URL');
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const prometheus = options.prometheus.get(url.host);
        if (prometheus !== undefined) {
          forward(req, body, prometheus, url, res);
          return;
        }
        const snapshot = options.snapshot();
        const service = serviceOf(snapshot, url.hostname);
        if (service?.['metadata']?.name === options.loadtesterWorkload) {
          // The real loadtester, behind its Service and NetworkPolicy like any pod.
          const target = endpoints(snapshot, options.loadtesterWorkload, Number(url.port || 80));
          const pod = target?.pods[0];
          const from = peer();
          if (!pod || !admits(snapshot, from, pod, target.targetPort)) {
            const refused = pod ? 'NetworkPolicy' : 'no ready endpoint';
            options.dataPlane.hops.push({ at: Date.now(), from: describePeer(from), addressed: url.host, service: options.loadtesterWorkload, ...(pod && { pod: pod.name, workload: pod.workload }), status: undefined, mirrored: false, refused, path: url.pathname });
            res.writeHead(503).end(`no route to ${url.host}: ${pod ? 'a NetworkPolicy drops it' : 'no ready loadtester'}`);
            return;
          }
          forward(req, body, options.loadtesterPort, url, res, (status) => {
            try {
              const payload = JSON.parse(body.toString() || '{}') as { name?: string; namespace?: string; phase?: string; metadata?: { cmd?: string } };
              if (payload.name) webhooks.push({ at: Date.now(), name: payload.name, namespace: payload.namespace ?? '', phase: payload.phase ?? '', path: url.pathname, hook: payload.metadata?.cmd?.startsWith('hey') ? 'load' : 'check', status });
            } catch {
              // gates and health checks carry no webhook payload
            }
          });
          return;
        }
        const headers = Object.fromEntries(Object.entries(req.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : Array.isArray(v) ? [[k, v.join(', ')]] : [])));
        void options.dataPlane.send(peer(), req.method ?? 'GET', url.toString(), headers, body.toString('utf8')).then((answer) => {
          if (answer.status === undefined) {
            // What a client sees of a failed connection through a forward proxy.
            res.writeHead(502, { 'content-type': 'text/plain' }).end(answer.body);
            return;
          }
          res.writeHead(answer.status, answer.headers).end(answer.body);
        }).catch((error: unknown) => {
          // The model answered something HTTP cannot carry: a bug of the model, said to the client.
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`model error: ${String(error)}`);
        });
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${port}`, server };
  };

  // Flagger beside the control plane speaks as the pod the provider bundle installs.
  const flagger = await listener(() => ({ namespace: options.flaggerNamespace(), labels: FLAGGER_POD_LABELS }));
  const loadtester = await listener(() => {
    const snapshot = options.snapshot();
    const pod = podOf(snapshot, options.loadtesterWorkload);
    return pod ? { pod } : { namespace: snapshot.namespace };
  });
  const close = (server: Server): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    flaggerProxy: flagger.url,
    loadtesterProxy: loadtester.url,
    webhooks,
    close: async () => {
      await close(flagger.server);
      await close(loadtester.server);
    },
  };
}
