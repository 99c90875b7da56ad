/**
 * Registry credentials go to the registry's own origin and nowhere else: not to an upload
 * location on another host, not over plain HTTP, not through a redirect, and to a token service on
 * another host only over HTTPS. The registry here speaks HTTPS with a certificate made for the test
 * (trusted by this test process alone), as every registry but one on loopback does.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import selfsigned from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from './artifact.js';
import { MEDIA_TYPES } from './media-types.js';
import { parseRegistryAddress } from './registry-address.js';
import { createRegistryClient } from './registry.js';

const CREDENTIALS = { username: 'ci', password: 's3cret' };
const BASIC = `Basic ${Buffer.from('ci:s3cret').toString('base64')}`;
const BLOB = Buffer.from('layer');
const blob = { mediaType: MEDIA_TYPES.content, digest: sha256(BLOB), size: BLOB.length, data: BLOB };

type Script = (req: IncomingMessage, res: ServerResponse, url: URL) => void;
interface Peer {
  readonly origin: string;
  readonly host: string;
  /** Every request: method, path and the authorization it carried. */
  readonly seen: string[];
  script: Script;
}

let pems: { private: string; cert: string };
const servers: Server[] = [];

/** An HTTPS server on loopback, answering as its `script` says. */
async function peer(script: Script = (_req, res) => res.writeHead(404).end()): Promise<Peer> {
  const self: Peer = { origin: '', host: '', seen: [], script };
  const server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x');
    self.seen.push(`${req.method} ${url.pathname} [${req.headers.authorization ?? 'none'}]`);
    req.resume();
    req.on('end', () => self.script(req, res, url));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(self, { host, origin: `https://${host}` });
}

beforeAll(async () => {
  if (typeof tls.setDefaultCACertificates !== 'function') return;
  pems = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], { keySize: 2048, extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }] });
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), pems.cert]);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

const settings = (registry: Peer) => ({ address: parseRegistryAddress(registry.host), credentials: CREDENTIALS, retry: { attempts: 2, baseDelayMs: 1 } });
const pusher = (registry: Peer) => createRegistryClient({ ...settings(registry), access: 'push' });
const reader = (registry: Peer) => createRegistryClient({ ...settings(registry), access: 'pull' });

/** A registry that wants a token from `realm` and answers uploads with `location`. */
const registryScript =
  (realm: () => string, location: () => string): Script =>
  (req, res, url) => {
    if (url.pathname === '/token') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"t0k"}');
    if (req.headers.authorization !== 'Bearer t0k') return res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm()}",service="registry"` }).end();
    if (req.method === 'POST') return res.writeHead(202, { location: location() }).end();
    if (req.method === 'PUT') return res.writeHead(201).end();
    res.writeHead(404).end();
  };

// tls.setDefaultCACertificates arrived in Node 22.19 and 24.5; on the oldest Node in engines (22.18) the test certificate cannot be trusted.
describe.skipIf(typeof tls.setDefaultCACertificates !== 'function')('registry credentials stay with the registry', () => {
  it('an upload sent to another host over HTTPS goes there without the registry’s token', async () => {
    const storage = await peer((_req, res) => res.writeHead(201).end());
    const registry = await peer();
    registry.script = registryScript(() => `${registry.origin}/token`, () => `${storage.origin}/upload/1?state=x`);
    await pusher(registry).uploadBlob('webapp/istio', blob);
    expect(registry.seen).toEqual(['POST /v2/webapp/istio/blobs/uploads/ [none]', `GET /token [${BASIC}]`, 'POST /v2/webapp/istio/blobs/uploads/ [Bearer t0k]']);
    expect(storage.seen).toEqual(['PUT /upload/1 [none]']);
  });

  it('an upload location over plain HTTP is refused, on another host or on the registry’s own', async () => {
    const registry = await peer();
    for (const location of ['http://198.51.100.7/upload/1', () => `http://${registry.host}/upload/1`]) {
      registry.seen.length = 0;
      registry.script = registryScript(() => `${registry.origin}/token`, () => (typeof location === 'string' ? location : location()));
      const refusal = (await pusher(registry).uploadBlob('webapp/istio', blob).catch((e: unknown) => e)) as Error;
      expect(refusal.message).toMatch(new RegExp(`^start upload blob sha256:[0-9a-f]{12} \\(5 bytes\\): the upload location is http://[0-9.:]+, another origin over http; only ${registry.origin} itself is reached without HTTPS$`));
      expect(registry.seen.filter((line) => line.startsWith('PUT'))).toEqual([]);
    }
  });

  it('a token service on another host gets the credentials over HTTPS, never over plain HTTP', async () => {
    const tokens = await peer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"t0k"}'));
    const registry = await peer();
    let realm = `${tokens.origin}/token`;
    registry.script = registryScript(() => realm, () => '/upload/1');
    expect(await reader(registry).getManifest('webapp/istio', '1.0.0')).toBeUndefined();
    expect(tokens.seen).toEqual([`GET /token [${BASIC}]`]);

    realm = `http://${tokens.host}/token`;
    tokens.seen.length = 0;
    await expect(reader(registry).getManifest('webapp/istio', '1.0.0')).rejects.toThrow(`${registry.host}'s token service is http://${tokens.host}, another origin over http; only ${registry.origin} itself is reached without HTTPS`);
    expect(tokens.seen).toEqual([]);
  });

  it('a redirect to another host does not carry the credentials', async () => {
    const storage = await peer((_req, res) => res.writeHead(200).end(BLOB));
    const registry = await peer((req, res) => (req.headers.authorization === BASIC ? res.writeHead(307, { location: `${storage.origin}/blob` }).end() : res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end()));
    expect(await reader(registry).getBlob('webapp/istio', blob.digest, blob.size)).toEqual(BLOB);
    expect(storage.seen).toEqual(['GET /blob [none]']);
  });
});
