/**
 * A real OCI registry for the tests: CNCF distribution v3 (`registry`, built from its Go module by
 * `canaryship setup test`) as a child process on a free loopback port, with its own config and
 * storage in a temp dir. A fault proxy in front of it can answer 500s, hold requests, and count them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitUntil } from '@canaryship/cluster';
import bcrypt from 'bcryptjs';
import { tool } from './tools.js';

/** Up when /v2/ answers at all: a registry with auth answers 401. */
const answers = (url: string): Promise<void> =>
  waitUntil(url, async () => {
    await (await fetch(url)).arrayBuffer();
    return true;
  }, 10_000);

export interface TestRegistry {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  readonly log: () => string;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/** With `basicAuth`, the registry asks for credentials (htpasswd with a bcrypt hash, as the registry requires). */
export async function startRegistry(options: { basicAuth?: { username: string; password: string } } = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'canaryship-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const auth: string[] = [];
  if (options.basicAuth) {
    const hash = bcrypt.hashSync(options.basicAuth.password, 8);
    writeFileSync(join(dir, 'htpasswd'), `${options.basicAuth.username}:${hash}\n`);
    auth.push('auth:', '  htpasswd:', '    realm: canaryship-test', `    path: ${join(dir, 'htpasswd')}`);
  }
  writeFileSync(
    join(dir, 'config.yml'),
    ['version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, 'http:', `  addr: ${host}`, ...auth, ''].join('\n'),
  );
  let child: ChildProcess | undefined;
  let output = '';
  const registry: TestRegistry = {
    host,
    log: () => output,
    async start() {
      child = spawn(await tool('registry'), ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      await answers(`http://${host}/v2/`);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.kill('SIGKILL');
      });
    },
    async dispose() {
      await registry.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await registry.start();
  return registry;
}

export interface FaultProxy {
  readonly host: string;
  /** Requests seen, as `METHOD path`. */
  readonly requests: string[];
  /** Answer the next `count` requests with `status` and `body` (default: 500) without forwarding them. */
  failNext(count: number, answer?: { status: number; body: string; contentType?: string }): void;
  /** Called after each forwarded response: e.g. stop the registry mid-publish. */
  afterResponse(hook: ((request: string) => Promise<void> | void) | undefined): void;
  /**
   * Holds requests matching `match` until `count` of them wait, then forwards them one after the
   * other in arrival order: two publishes racing for one tag, made deterministic.
   */
  /** Holds the next `count` requests that `match` until all have arrived, sends them to the registry in order, then answers them. */
  holdUntil(match: (request: string) => boolean, count: number): void;
  close(): Promise<void>;
}

/** An HTTP proxy in front of `target`, rewriting Location headers so uploads keep going through it. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const requests: string[] = [];
  let failures = 0;
  let answer = { status: 500, body: 'injected failure', contentType: 'text/plain' };
  let hook: ((request: string) => Promise<void> | void) | undefined;
  let held: { match: (request: string) => boolean; count: number; waiting: (() => Promise<() => Promise<void>>)[] } | undefined;
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  /** Sends one request to the registry; resolves, once the registry answered, with what delivers that answer to the client. */
  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse, line: string): Promise<() => Promise<void>> =>
    new Promise((done) => {
      const upstream = httpRequest({ host: '127.0.0.1', port: Number(target.split(':')[1]), method: req.method, path: req.url, headers: { ...req.headers, host: target } }, (response) => {
        const headers = { ...response.headers };
        if (typeof headers.location === 'string') headers.location = headers.location.replace(target, host);
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        // The client sees the answer only after the hook ran: a hook that stops the registry
        // does so before the client can send its next request.
        response.on('end', () =>
          done(async () => {
            await hook?.(line);
            res.writeHead(response.statusCode ?? 502, headers).end(Buffer.concat(chunks));
          }),
        );
      });
      upstream.on('error', () =>
        done(async () => {
          if (!res.headersSent) res.writeHead(502).end('registry unreachable');
          else res.destroy();
        }),
      );
      upstream.end(body);
    });
  const server: Server = createServer((req, res) => {
    const line = `${req.method} ${req.url}`;
    requests.push(line);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (failures > 0) {
        failures -= 1;
        res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'text/plain' }).end(answer.body);
        return;
      }
      const send = (): Promise<() => Promise<void>> => forward(req, Buffer.concat(chunks), res, line);
      if (held?.match(line)) {
        held.waiting.push(send);
        if (held.waiting.length >= held.count) {
          // Every held request reaches the registry, in arrival order, before any client hears back.
          const release = held.waiting;
          held = undefined;
          void (async () => {
            const answers: (() => Promise<void>)[] = [];
            for (const next of release) answers.push(await next());
            for (const answer of answers) await answer();
          })();
        }
        return;
      }
      void send().then((deliver) => deliver());
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    host,
    requests,
    failNext: (count, given) => {
      failures = count;
      answer = given ? { contentType: 'text/plain', ...given } : { status: 500, body: 'injected failure', contentType: 'text/plain' };
    },
    afterResponse: (h) => void (hook = h),
    holdUntil: (match, count) => void (held = { match, count, waiting: [] }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A server that accepts connections and never answers: a registry that hangs. */
export async function startSilentServer(): Promise<{ host: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
