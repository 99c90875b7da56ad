/**
 * A real OCI registry for the tests: Debian's docker-registry (distribution 2.8) as a child process
 * on a free loopback port, with its own config (the Debian default turns on htpasswd auth) and
 * storage in a temp dir. A fault proxy in front of it can answer 500s and count requests.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitUntil } from '@canaryship/cluster';

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

/** With `basicAuth`, the registry asks for credentials (htpasswd, bcrypt hashed by python3's crypt). */
export async function startRegistry(options: { basicAuth?: { username: string; password: string } } = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'canaryship-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const auth: string[] = [];
  if (options.basicAuth) {
    const hash = execFileSync('python3', ['-W', 'ignore', '-c', 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))', options.basicAuth.password], { encoding: 'utf8' }).trim();
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
      child = spawn(process.env['DOCKER_REGISTRY'] ?? 'docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
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
  /** Answer the next `count` requests with 500 without forwarding them. */
  failNext(count: number): void;
  /** Called after each forwarded response: e.g. stop the registry mid-publish. */
  afterResponse(hook: ((request: string) => Promise<void> | void) | undefined): void;
  close(): Promise<void>;
}

/** An HTTP proxy in front of `target`, rewriting Location headers so uploads keep going through it. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const requests: string[] = [];
  let failures = 0;
  let hook: ((request: string) => Promise<void> | void) | undefined;
  let server: Server;
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const line = `${req.method} ${req.url}`;
    requests.push(line);
    if (failures > 0) {
      failures -= 1;
      req.resume();
      res.writeHead(500, { 'content-type': 'text/plain' }).end('injected failure');
      return;
    }
    const upstream = httpRequest({ host: '127.0.0.1', port: Number(target.split(':')[1]), method: req.method, path: req.url, headers: { ...req.headers, host: target } }, (response) => {
      const headers = { ...response.headers };
      if (typeof headers.location === 'string') headers.location = headers.location.replace(target, host);
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      // The client sees the answer only after the hook ran: a hook that stops the registry
      // does so before the client can send its next request.
      response.on('end', async () => {
        await hook?.(line);
        res.writeHead(response.statusCode ?? 502, headers).end(Buffer.concat(chunks));
      });
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end('registry unreachable');
      else res.destroy();
    });
    req.pipe(upstream);
  };
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    host,
    requests,
    failNext: (count) => void (failures = count),
    afterResponse: (h) => void (hook = h),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
