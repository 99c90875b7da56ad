/**
 * The registry client's side of the distribution protocol, against a scripted HTTP server: what a
 * registry may answer that the CNCF registry in test/release does not (a Bearer token service,
 * oversized or lying answers, odd refusals). Each script answers as the OCI distribution spec says
 * a registry may.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryError } from '../errors.js';
import { sha256 } from './artifact.js';
import { ARTIFACT_LIMITS } from './limits.js';
import { MEDIA_TYPES } from './media-types.js';
import { parseRegistryAddress } from './registry-address.js';
import { createRegistryClient, type RegistryOptions } from './registry.js';

type Script = (req: IncomingMessage, res: ServerResponse, url: URL) => void;
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/** A scripted registry on loopback, and a client for it (push access unless `options` say otherwise). */
async function registry(script: Script, options: Partial<RegistryOptions> = {}) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${req.method} ${url.pathname}${url.search}${req.headers.authorization ? ` [${req.headers.authorization}]` : ''}`);
    req.resume();
    req.on('end', () => script(req, res, url));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const progress: string[] = [];
  const client = createRegistryClient({ address: parseRegistryAddress(host, { insecure: true }), retry: { attempts: 3, baseDelayMs: 1 }, onProgress: (m) => progress.push(m), ...options, access: 'push' });
  return { client, seen, progress, host };
}
const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
const MANIFEST = Buffer.from('{"m":1}');

describe('Bearer token authentication', () => {
  it('fetches a token for the repository scope with the credentials, then replays the request with it', async () => {
    const { client, seen, progress, host } = await registry((req, res, url) => {
      if (url.pathname === '/token') return json(res, 200, { access_token: 'tok' });
      if (req.headers.authorization !== 'Bearer tok') return json(res, 401, {}, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="reg.example"` });
      res.writeHead(200, { 'docker-content-digest': sha256(MANIFEST) }).end(MANIFEST);
    }, { credentials: { username: 'ci', password: 's3cret' } });
    expect(await client.getManifest('webapp/istio', '1.0.0')).toEqual(MANIFEST);
    expect(seen).toEqual([
      'GET /v2/webapp/istio/manifests/1.0.0',
      `GET /token?service=reg.example&scope=repository%3Awebapp%2Fistio%3Apull%2Cpush [Basic ${Buffer.from('ci:s3cret').toString('base64')}]`,
      'GET /v2/webapp/istio/manifests/1.0.0 [Bearer tok]',
    ]);
    expect(progress).toContain(`GET token from http://${host}`);
    // The token is kept for the scope: the next request carries it at once.
    await client.getManifest('webapp/istio', '1.0.0');
    expect(seen.at(-1)).toBe('GET /v2/webapp/istio/manifests/1.0.0 [Bearer tok]');
  });

  it('asks for pull scope only when the client reads', async () => {
    const { seen, host } = await registry((req, res, url) => {
      if (url.pathname === '/token') return json(res, 200, { token: 'r' });
      if (!req.headers.authorization) return json(res, 401, {}, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token"` });
      res.writeHead(404).end();
    });
    const reader = createRegistryClient({ address: parseRegistryAddress(host, { insecure: true }), access: 'pull' });
    expect(await reader.getManifest('webapp/istio', '1.0.0')).toBeUndefined();
    expect(seen[1]).toBe('GET /token?scope=repository%3Awebapp%2Fistio%3Apull');
    expect(Object.keys(reader)).not.toContain('uploadBlob');
  });

  it("uses the challenge's own scope, and a token service's refusals and silences are named", async () => {
    let tokenAnswer: (res: ServerResponse) => void = (res) => json(res, 200, { token: 't2' });
    const { client, seen } = await registry((req, res, url) => {
      if (url.pathname === '/token') return tokenAnswer(res);
      if (!req.headers.authorization) return json(res, 401, {}, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token",scope="repository:other:pull"` });
      res.writeHead(404).end();
    });
    expect(await client.getManifest('webapp/istio', '1.0.0')).toBeUndefined();
    expect(seen[1]).toBe('GET /token?scope=repository%3Aother%3Apull');
    const fresh = async () => (await registry((req, res, url) => (url.pathname === '/token' ? tokenAnswer(res) : json(res, 401, {}, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token"` })))).client;
    tokenAnswer = (res) => json(res, 200, {});
    await expect((await fresh()).getManifest('w/i', '1')).rejects.toThrow(/^token from http:\/\/127\.0\.0\.1:\d+: the answer holds no token$/);
    tokenAnswer = (res) => json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad password' }] });
    const refused = await (await fresh()).getManifest('w/i', '1').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RegistryError);
    expect((refused as RegistryError).message).toMatch(/^token from http:\/\/127\.0\.0\.1:\d+: 401 Unauthorized \(UNAUTHORIZED: bad password\)$/);
    expect((refused as RegistryError).hint).toMatch(/^check the credentials for 127\.0\.0\.1:\d+$/);
  });

  it('refuses challenges it cannot answer, and credentials refused after a token', async () => {
    const challenged = async (challenge: string) => (await registry((_req, res) => json(res, 401, {}, { 'www-authenticate': challenge }))).client.getManifest('w/i', '1').then(() => { throw new Error('accepted'); }, (e: unknown) => e as RegistryError);
    expect((await challenged('Negotiate abc')).message).toMatch(/^unsupported authentication challenge from 127\.0\.0\.1:\d+ \(negotiate\)$/);
    expect((await challenged('Bearer service="x"')).message).toMatch(/^unsupported authentication challenge from .* \(bearer\)$/);
    expect((await challenged('Bearer realm="not a url"')).message).toMatch(/^127\.0\.0\.1:\d+ named a token service that is not a URL$/);
    const basic = await challenged('Basic realm="r"');
    expect([basic.message, basic.hint, basic.status]).toEqual([expect.stringMatching(/ wants credentials$/), 'set CANARYSHIP_REGISTRY_USERNAME/PASSWORD or log in (Docker config file)', 401]);
    const { client } = await registry((req, res, url) => (url.pathname === '/token' ? json(res, 200, { token: 't' }) : json(res, 401, {}, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token"` })));
    const again = (await client.getManifest('w/i', '1').catch((e: unknown) => e)) as RegistryError;
    expect(again.message).toMatch(/^GET manifest w\/i:1: 401 Unauthorized/);
    expect(again.hint).toMatch(/^check the credentials for 127\.0\.0\.1:\d+ and their rights on w\/i$/);
  });
});

describe('answers not to be trusted', () => {
  it('bounds what it reads: an announced size over the limit, and a body that runs over it', async () => {
    const announced = await registry((_req, res) => res.writeHead(200, { 'content-length': String(ARTIFACT_LIMITS.manifestBytes + 1) }).end());
    await expect(announced.client.getManifest('w/i', '1')).rejects.toThrow(`GET manifest w/i:1: the registry announced ${ARTIFACT_LIMITS.manifestBytes + 1} bytes; the limit is ${ARTIFACT_LIMITS.manifestBytes}`);
    const digest = sha256(Buffer.from('abc'));
    const streamed = await registry((_req, res) => {
      res.writeHead(200);
      res.end(Buffer.alloc(10));
    });
    await expect(streamed.client.getBlob('w/i', digest, 3)).rejects.toThrow(`GET blob ${digest.slice(0, 19)}: the answer exceeds 3 bytes`);
  });

  it('checks every digest the registry states or was asked for', async () => {
    const lying = await registry((_req, res) => res.writeHead(200, { 'docker-content-digest': sha256(Buffer.from('other')) }).end(MANIFEST));
    await expect(lying.client.getManifest('w/i', '1')).rejects.toThrow(`GET manifest w/i:1: the registry says ${sha256(Buffer.from('other'))} but sent content whose digest is ${sha256(MANIFEST)}`);
    await expect(lying.client.getManifest('w/i', sha256(Buffer.from('x')))).rejects.toThrow(`the registry answered content whose digest is ${sha256(MANIFEST)}`);
    const stored = await registry((_req, res) => res.writeHead(201, { 'docker-content-digest': sha256(Buffer.from('other')) }).end());
    const blob = { mediaType: MEDIA_TYPES.manifest, digest: sha256(MANIFEST), size: MANIFEST.length, data: MANIFEST };
    await expect(stored.client.putManifest('w/i', '1', blob)).rejects.toThrow(`PUT manifest w/i:1: the registry stored ${sha256(Buffer.from('other'))}, not ${blob.digest}`);
  });

  it('refuses an upload with no location, or one over plain HTTP anywhere but the registry itself', async () => {
    const blob = { mediaType: MEDIA_TYPES.content, digest: sha256(MANIFEST), size: MANIFEST.length, data: MANIFEST };
    const nowhere = await registry((_req, res) => res.writeHead(202).end());
    await expect(nowhere.client.uploadBlob('w/i', blob)).rejects.toThrow(`start upload blob ${blob.digest.slice(0, 19)} (${blob.size} bytes): the registry named no upload location`);
    const elsewhere = await registry((_req, res) => res.writeHead(202, { location: 'http://198.51.100.7:5000/upload/1' }).end());
    await expect(elsewhere.client.uploadBlob('w/i', blob)).rejects.toThrow(/^start upload blob sha256:[0-9a-f]{12} \(7 bytes\): the upload location is http:\/\/198\.51\.100\.7:5000, another origin over http; only http:\/\/127\.0\.0\.1:\d+ itself is reached without HTTPS$/);
    expect(elsewhere.seen).toHaveLength(1);
    const good = await registry((req, res) => (req.method === 'POST' ? res.writeHead(202, { location: '/upload/1?state=a' }).end() : res.writeHead(201).end()));
    await good.client.uploadBlob('w/i', blob);
    expect(good.seen).toEqual(['POST /v2/w/i/blobs/uploads/', `PUT /upload/1?state=a&digest=${encodeURIComponent(blob.digest)}`]);
  });

  it("reads tags leniently: none for an unknown repository, only strings, and says a refusal in the registry's words", async () => {
    const tags = await registry((_req, res, url) => (url.pathname.includes('/none/') ? res.writeHead(404).end() : json(res, 200, { tags: ['1.0.0', 7, null, 'latest'] })));
    expect(await tags.client.listTags('w/none')).toEqual([]);
    expect(await tags.client.listTags('w/i')).toEqual(['1.0.0', 'latest']);
    const plain = await registry((_req, res) => res.writeHead(400, { 'content-type': 'text/plain' }).end('  bad\n  request  '));
    await expect(plain.client.listTags('w/i')).rejects.toThrow('GET tags of w/i: 400 Bad Request (bad request)');
    expect(plain.seen).toHaveLength(1);
  });
});

describe('retries', () => {
  it('stop at the operation’s deadline, whatever attempts are left, saying so', async () => {
    const silent = await registry(() => undefined, { requestTimeoutMs: 200, operationTimeoutMs: 500, retry: { attempts: 20, baseDelayMs: 1 } });
    const error = (await silent.client.getManifest('w/i', '1').catch((e: unknown) => e)) as RegistryError;
    expect(error.message).toMatch(/^GET manifest w\/i:1: no answer from 127\.0\.0\.1:\d+ within 0\.\d s \(gave up: the 0\.5 s this operation may take, retries included, are spent\)$/);
    expect(silent.seen.length).toBeLessThan(5);
  });

  it('retries 5xx, 429 and 408 with a progress line each, and gives up after the last attempt', async () => {
    let calls = 0;
    const flaky = await registry((_req, res) => ((calls += 1) < 3 ? json(res, calls === 1 ? 429 : 503, { errors: [{ code: 'UNAVAILABLE' }] }) : res.writeHead(200).end()));
    expect(await flaky.client.hasBlob('w/i', sha256(MANIFEST))).toBe(true);
    expect(flaky.progress.filter((p) => p.includes('retry'))).toEqual([
      expect.stringMatching(/^HEAD blob sha256:[0-9a-f]{12}: HEAD blob .*: 429 Too Many Requests.*; retry 1\/2 in 1 ms$/),
      expect.stringMatching(/: 503 Service Unavailable.*; retry 2\/2 in 2 ms$/),
    ]);
    const down = await registry((_req, res) => res.writeHead(408).end());
    await expect(down.client.hasBlob('w/i', sha256(MANIFEST))).rejects.toThrow(/408 Request Timeout/);
    expect(down.seen).toHaveLength(3);
  });
});
