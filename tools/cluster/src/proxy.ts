/**
 * The HTTP proxy Flagger and the loadtester use (HTTP_PROXY): it is how cluster-internal names reach
 * this machine. `flagger-loadtester.<ns>` goes to the real loadtester process; the in-cluster address
 * of each environment's Prometheus (what its Flagger install and our MetricTemplates name) goes to the
 * local Prometheus; `<svc>[-canary].<ns>:9898` is answered as podinfo would (the conformance test's
 * curl calls land here), failing with 500 for the services the scenario marks as broken. Any other
 * host gets 502, so a wrong address in a distribution shows up as a failed check.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import { freePort } from './ports.js';

export interface WebhookCall {
  readonly at: number;
  readonly name: string;
  readonly namespace: string;
  readonly phase: string;
  readonly hook: string;
  readonly status: number;
}

export interface ClusterProxy {
  readonly url: string;
  readonly webhooks: WebhookCall[];
  /** Services whose endpoints answer 500, per namespace. */
  setBroken(namespace: string, services: readonly string[]): void;
  close(): Promise<void>;
}

export interface Routes {
  readonly loadtesterPort: number;
  /** `host:port` of an in-cluster Prometheus address → local port. */
  readonly prometheus: ReadonlyMap<string, number>;
}

const forward = (req: IncomingMessage, body: Buffer, port: number, url: URL, done: (status: number, headers: IncomingHttpHeaders, body: Buffer) => void): void => {
  const upstream = httpRequest({ host: '127.0.0.1', port, method: req.method, path: url.pathname + url.search, headers: { ...req.headers, host: `127.0.0.1:${port}` } }, (response) => {
    const out: Buffer[] = [];
    response.on('data', (d: Buffer) => out.push(d));
    response.on('end', () => done(response.statusCode ?? 502, response.headers, Buffer.concat(out)));
  });
  upstream.on('error', (e) => done(502, {}, Buffer.from(String(e))));
  upstream.end(body);
};

export async function startProxy(routes: Routes): Promise<ClusterProxy> {
  const webhooks: WebhookCall[] = [];
  const broken = new Map<string, Set<string>>();
  const server: Server = createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute URL expected');
      return;
    }
    const [service = '', namespace = ''] = url.hostname.split('.');
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const prometheus = routes.prometheus.get(url.host);
      if (prometheus !== undefined) {
        forward(req, body, prometheus, url, (status, headers, out) => res.writeHead(status, headers).end(out));
        return;
      }
      if (service === 'flagger-loadtester') {
        forward(req, body, routes.loadtesterPort, url, (status, headers, out) => {
          try {
            const payload = JSON.parse(body.toString() || '{}') as { name?: string; namespace?: string; phase?: string; metadata?: { cmd?: string } };
            const hook = payload.metadata?.cmd?.startsWith('hey') ? 'load' : 'conformance';
            webhooks.push({ at: Date.now(), name: payload.name ?? '', namespace: payload.namespace ?? '', phase: payload.phase ?? '', hook, status });
          } catch {
            // not a webhook payload (gates, health): nothing to record
          }
          res.writeHead(status, headers).end(out);
        });
        return;
      }
      if (url.port !== '9898') {
        res.writeHead(502, { 'content-type': 'text/plain' }).end(`no route to ${url.host} in the local cluster`);
        return;
      }
      const target = service.replace(/-(canary|primary)$/, '');
      if (broken.get(namespace)?.has(target)) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"injected by the scenario"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ hostname: `${service}-0`, path: url.pathname, status: 'OK' }));
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    webhooks,
    setBroken: (namespace, services) => void broken.set(namespace, new Set(services)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
