/**
 * A client for the OCI distribution API (https://github.com/opencontainers/distribution-spec),
 * only what publishing and diffing need. Written here rather than taken from a library: the npm
 * registry has no maintained OCI client that speaks the token flow and pushes arbitrary artifacts
 * from Node. Every operation is retried as a whole with exponential backoff on 5xx and connection
 * errors; a blob upload restarts from its POST, since an upload session does not survive a failure.
 */
import { sha256, type Blob } from './artifact.js';
import { parseChallenge, type Credentials } from './credentials.js';
import { MEDIA_TYPES } from './media-types.js';

export interface RegistryOptions {
  /** `host[:port]`. */
  readonly host: string;
  /** Plain HTTP, allowed only for a registry on loopback. */
  readonly insecure?: boolean;
  readonly credentials?: Credentials;
  readonly retry?: { readonly attempts: number; readonly baseDelayMs: number };
  readonly onRetry?: (message: string) => void;
}

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/;
const retryable = (error: unknown): boolean =>
  error instanceof RegistryError ? error.status === undefined || error.status >= 500 : true;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface RegistryClient {
  readonly host: string;
  /** Digest the tag points at, or undefined when the tag does not exist. */
  manifestDigest(repository: string, reference: string): Promise<string | undefined>;
  getManifest(repository: string, reference: string): Promise<Buffer | undefined>;
  hasBlob(repository: string, digest: string): Promise<boolean>;
  getBlob(repository: string, digest: string): Promise<Buffer>;
  uploadBlob(repository: string, blob: Blob): Promise<void>;
  putManifest(repository: string, reference: string, manifest: Blob): Promise<void>;
  listTags(repository: string): Promise<string[]>;
}

export function createRegistryClient(options: RegistryOptions): RegistryClient {
  if (options.insecure && !LOOPBACK.test(options.host)) {
    throw new RegistryError(`--insecure (plain HTTP) is only allowed for a registry on loopback, not ${options.host}`);
  }
  const base = `${options.insecure ? 'http' : 'https'}://${options.host}`;
  const { attempts, baseDelayMs } = options.retry ?? { attempts: 5, baseDelayMs: 200 };
  const tokens = new Map<string, string>();

  async function withRetry<T>(what: string, operation: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await operation();
      } catch (error) {
        if (attempt >= attempts || !retryable(error)) throw error;
        const delay = Math.min(baseDelayMs * 2 ** (attempt - 1), 5000);
        options.onRetry?.(`${what}: ${(error as Error).message}; retry ${attempt}/${attempts - 1} in ${delay} ms`);
        await sleep(delay);
      }
    }
  }

  async function authorize(challenge: string, scope: string): Promise<string> {
    const { scheme, params } = parseChallenge(challenge);
    const basic = options.credentials && `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`;
    if (scheme === 'basic') {
      if (!basic) throw new RegistryError(`${options.host} wants credentials: set CANARYSHIP_REGISTRY_USERNAME/PASSWORD or log in (docker config)`, 401);
      return basic;
    }
    if (scheme !== 'bearer' || !params['realm']) throw new RegistryError(`unsupported authentication challenge from ${options.host}: ${challenge}`, 401);
    const url = new URL(params['realm']);
    if (params['service']) url.searchParams.set('service', params['service']);
    url.searchParams.set('scope', params['scope'] ?? scope);
    const response = await fetch(url, { headers: basic ? { authorization: basic } : {} });
    if (!response.ok) throw new RegistryError(`token request to ${url.origin} failed: ${response.status}`, response.status === 401 ? 401 : response.status);
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`token response from ${url.origin} holds no token`);
    return `Bearer ${token}`;
  }

  /** One HTTP request, authenticated on a 401 challenge and replayed once. */
  async function request(method: string, pathOrUrl: string, repository: string, init: { headers?: Record<string, string>; body?: Buffer } = {}): Promise<Response> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${base}${pathOrUrl}`;
    const scope = `repository:${repository}:pull,push`;
    const send = async (): Promise<Response> => {
      let response: Response;
      try {
        const auth = tokens.get(scope);
        response = await fetch(url, {
          method,
          headers: { ...init.headers, ...(auth && { authorization: auth }) },
          ...(init.body && { body: init.body }),
          redirect: 'follow',
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        throw new RegistryError(`${method} ${url}: ${cause ?? (error as Error).message}`);
      }
      if (response.status >= 500) throw new RegistryError(`${method} ${url}: ${response.status} ${response.statusText}`, response.status);
      return response;
    };
    let response = await send();
    const challenge = response.headers.get('www-authenticate');
    if (response.status === 401 && challenge && !tokens.has(scope)) {
      await response.arrayBuffer();
      tokens.set(scope, await authorize(challenge, scope));
      response = await send();
    }
    if (response.status === 401 || response.status === 403) {
      throw new RegistryError(`${method} ${url}: ${response.status}: check the credentials for ${options.host}`, response.status);
    }
    return response;
  }

  const fail = async (response: Response, what: string): Promise<never> => {
    throw new RegistryError(`${what}: ${response.status} ${(await response.text()).slice(0, 300)}`, response.status);
  };

  const client: RegistryClient = {
    host: options.host,
    async manifestDigest(repository, reference) {
      const manifest = await client.getManifest(repository, reference);
      return manifest && sha256(manifest);
    },
    getManifest: (repository, reference) =>
      withRetry(`manifest ${repository}:${reference}`, async () => {
        const response = await request('GET', `/v2/${repository}/manifests/${reference}`, repository, { headers: { accept: MEDIA_TYPES.manifest } });
        if (response.status === 404) {
          await response.arrayBuffer();
          return undefined;
        }
        if (!response.ok) return fail(response, `GET manifest ${repository}:${reference}`);
        return Buffer.from(await response.arrayBuffer());
      }),
    hasBlob: (repository, digest) =>
      withRetry(`blob ${digest}`, async () => {
        const response = await request('HEAD', `/v2/${repository}/blobs/${digest}`, repository);
        if (response.status === 404) return false;
        if (!response.ok) return fail(response, `HEAD blob ${digest}`);
        return true;
      }),
    getBlob: (repository, digest) =>
      withRetry(`blob ${digest}`, async () => {
        const response = await request('GET', `/v2/${repository}/blobs/${digest}`, repository);
        if (!response.ok) return fail(response, `GET blob ${digest}`);
        return Buffer.from(await response.arrayBuffer());
      }),
    uploadBlob: (repository, blob) =>
      withRetry(`upload ${blob.digest}`, async () => {
        const start = await request('POST', `/v2/${repository}/blobs/uploads/`, repository);
        await start.arrayBuffer();
        const location = start.headers.get('location');
        if (start.status !== 202 || !location) return fail(start, `start upload of ${blob.digest}`);
        const url = new URL(location, base);
        url.searchParams.set('digest', blob.digest);
        const done = await request('PUT', url.toString(), repository, {
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
          body: blob.data,
        });
        await done.arrayBuffer();
        if (done.status !== 201) return fail(done, `upload of ${blob.digest}`);
      }),
    putManifest: (repository, reference, manifest) =>
      withRetry(`manifest ${repository}:${reference}`, async () => {
        const response = await request('PUT', `/v2/${repository}/manifests/${reference}`, repository, {
          headers: { 'content-type': manifest.mediaType },
          body: manifest.data,
        });
        await response.arrayBuffer();
        if (response.status !== 201) return fail(response, `PUT manifest ${repository}:${reference}`);
      }),
    listTags: (repository) =>
      withRetry(`tags of ${repository}`, async () => {
        const response = await request('GET', `/v2/${repository}/tags/list`, repository);
        if (response.status === 404) return [];
        if (!response.ok) return fail(response, `list tags of ${repository}`);
        return ((await response.json()) as { tags?: string[] | null }).tags ?? [];
      }),
  };
  return client;
}
