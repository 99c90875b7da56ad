/**
 * A client for the OCI distribution API (https://github.com/opencontainers/distribution-spec),
 * only what publishing and diffing need. Written here rather than taken from a library: the npm
 * registry has no maintained OCI client that speaks the token flow and pushes arbitrary artifacts
 * from Node.
 *
 * Every request has a timeout (headers and body alike) and a progress line, every operation a
 * deadline its retries share; every answer is read once and bounded in size; every blob and
 * manifest read is checked against its digest. Operations are retried as a whole with exponential
 * backoff on 5xx, 429, timeouts and connection errors; a blob upload restarts from its POST, since
 * an upload session does not survive a failure.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { sha256, type Blob } from './artifact.js';
import { parseChallenge, type Credentials } from './credentials.js';
import { ARTIFACT_LIMITS as LIMITS } from './limits.js';
import { MEDIA_TYPES } from './media-types.js';
import type { RegistryAddress } from './registry-address.js';
import { PublishError, RegistryError } from '../errors.js';

export { RegistryError };

export interface RegistryOptions {
  readonly address: RegistryAddress;
  /** What the client may do: tokens are asked for this much and no more (`pull` reads, `push` also writes). */
  readonly access: 'pull' | 'push';
  readonly credentials?: Credentials;
  readonly retry?: { readonly attempts: number; readonly baseDelayMs: number };
  /** Longest one request may take, answer included (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** Longest one operation may take, its retries included (default: twice the request timeout). */
  readonly operationTimeoutMs?: number;
  /** A line per request and per retry. */
  readonly onProgress?: (message: string) => void;
}

/** What a client with pull access can do. */
export interface RegistryReader {
  readonly host: string;
  /** Digest of the manifest the reference points at, or undefined when it does not exist. */
  manifestDigest(repository: string, reference: string): Promise<string | undefined>;
  /** The manifest, checked against its digest; `accept` names the media types asked for (default: an OCI manifest). */
  getManifest(repository: string, reference: string, accept?: string): Promise<Buffer | undefined>;
  hasBlob(repository: string, digest: string): Promise<boolean>;
  /** The blob, checked against its digest and (when known) its size. */
  getBlob(repository: string, digest: string, size?: number): Promise<Buffer>;
  listTags(repository: string): Promise<string[]>;
}

/** What a client with push access can do. */
export interface RegistryClient extends RegistryReader {
  uploadBlob(repository: string, blob: Blob): Promise<void>;
  putManifest(repository: string, reference: string, manifest: Blob): Promise<void>;
}

/**
 * The deadline (ms since the epoch) of the operation a request belongs to. Kept in async context
 * rather than passed down: every request of an operation (its token, its POST and PUT) obeys it,
 * and operations running side by side each keep their own.
 */
const operationDeadline = new AsyncLocalStorage<number>();

const RETRYABLE_STATUS = (status: number): boolean => status >= 500 || status === 429 || status === 408;
const retryable = (error: unknown): boolean => (error instanceof RegistryError ? error.status === undefined || RETRYABLE_STATUS(error.status) : false);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const short = (digest: string): string => digest.slice(0, 19);

/** The body of a response, read once and at most `limit` bytes. */
async function readBody(response: Response, limit: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    await response.body?.cancel();
    throw new RegistryError(`${what}: the registry announced ${declared} bytes; the limit is ${limit}`);
  }
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of response.body ?? []) {
    length += (chunk as Uint8Array).length;
    if (length > limit) throw new RegistryError(`${what}: the answer exceeds ${limit} bytes`);
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks);
}

/** The registry's own words for a refusal: the OCI error codes and messages, else the start of the body. */
async function refusal(response: Response, what: string, hint?: string): Promise<RegistryError> {
  const body = await readBody(response, LIMITS.errorBytes, what).catch(() => Buffer.from(''));
  let detail = body.toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 300);
  try {
    const errors = (JSON.parse(body.toString('utf8')) as { errors?: { code?: string; message?: string }[] }).errors;
    if (errors?.length) detail = errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
  } catch {
    // not an OCI error document: the text itself is the detail
  }
  return new RegistryError(`${what}: ${response.status} ${response.statusText}${detail ? ` (${detail})` : ''}`, response.status, hint);
}

export function createRegistryClient(options: RegistryOptions & { access: 'pull' }): RegistryReader;
export function createRegistryClient(options: RegistryOptions & { access: 'push' }): RegistryClient;
export function createRegistryClient(options: RegistryOptions): RegistryReader;
export function createRegistryClient(options: RegistryOptions): RegistryReader | RegistryClient {
  const { host, insecure } = options.address;
  const base = `${insecure ? 'http' : 'https'}://${host}`;
  const origin = new URL(base).origin;
  const actions = options.access === 'push' ? 'pull,push' : 'pull';
  const { attempts, baseDelayMs } = options.retry ?? { attempts: 5, baseDelayMs: 200 };
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const operationMs = options.operationTimeoutMs ?? 2 * timeoutMs;
  const progress = options.onProgress ?? (() => undefined);
  const tokens = new Map<string, string>();

  /** One operation (a manifest, a blob, its upload), retried as a whole until `attempts` or its deadline. */
  async function withRetry<T>(what: string, operation: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + operationMs;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await operationDeadline.run(deadline, operation);
      } catch (error) {
        if (attempt >= attempts || !retryable(error)) throw error;
        const delay = Math.min(baseDelayMs * 2 ** (attempt - 1), 5000);
        if (Date.now() + delay >= deadline) throw new RegistryError(`${(error as Error).message} (gave up: the ${operationMs / 1000} s this operation may take, retries included, are spent)`, undefined, 'the registry is unreachable or stalled; raise --timeout for a slow link');
        progress(`${what}: ${(error as Error).message}; retry ${attempt}/${attempts - 1} in ${delay} ms`);
        await sleep(delay);
      }
    }
  }

  /** One fetch with the timeout covering the answer too; connection failures become RegistryErrors. */
  async function send<T>(what: string, url: string | URL, init: RequestInit, read: (response: Response) => Promise<T>): Promise<T> {
    // No longer than the request timeout, nor past the deadline of the operation it is part of.
    const limit = Math.max(0, Math.min(timeoutMs, (operationDeadline.getStore() ?? Infinity) - Date.now()));
    const signal = AbortSignal.timeout(limit);
    try {
      return await read(await fetch(url, { ...init, signal, redirect: 'follow' }));
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      if (signal.aborted) throw new RegistryError(`${what}: no answer from ${host} within ${Math.round(limit / 100) / 10} s`, undefined, 'the registry is unreachable or stalled; raise --timeout for a slow link');
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new RegistryError(`${what}: cannot reach ${host}: ${cause?.code ?? cause?.message ?? (error as Error).message}`, undefined, insecure ? undefined : 'is the registry reachable over HTTPS? (--insecure is for a plain-HTTP registry on loopback)');
    }
  }

  /**
   * Where the registry sends the client (an upload location, a token service) must be the registry
   * itself or reached over HTTPS: plain HTTP goes to the registry on loopback and nowhere else, and
   * an https registry never switches to http (Docker's and ORAS's clients hold the same line).
   */
  function elsewhere(url: URL, what: string): void {
    if (url.origin !== origin && url.protocol !== 'https:') {
      // Not a RegistryError: asking again would get the same answer.
      throw new PublishError(`${what} is ${url.origin}, another origin over ${url.protocol.replace(':', '')}; only ${origin} itself is reached without HTTPS`, { code: 'registry.origin', hint: 'a registry that answers this way is misconfigured, or not the registry you meant' });
    }
  }

  async function authorize(challenge: string, scope: string): Promise<string> {
    const { scheme, params } = parseChallenge(challenge);
    const basic = options.credentials && `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`;
    if (scheme === 'basic') {
      if (!basic) throw new RegistryError(`${host} wants credentials`, 401, 'set CANARYSHIP_REGISTRY_USERNAME/PASSWORD or log in (Docker config file)');
      return basic;
    }
    if (scheme !== 'bearer' || !params['realm']) throw new RegistryError(`unsupported authentication challenge from ${host} (${scheme})`, 401);
    let url: URL;
    try {
      url = new URL(params['realm']);
    } catch {
      throw new RegistryError(`${host} named a token service that is not a URL`, 401);
    }
    elsewhere(url, `${host}'s token service`);
    if (params['service']) url.searchParams.set('service', params['service']);
    url.searchParams.set('scope', params['scope'] ?? scope);
    const what = `token from ${url.origin}`;
    progress(`GET ${what}`);
    const token = await send(what, url, { headers: basic ? { authorization: basic } : {} }, async (response) => {
      if (!response.ok) throw await refusal(response, what, response.status === 401 ? `check the credentials for ${host}` : undefined);
      const body = JSON.parse((await readBody(response, LIMITS.errorBytes * 4, what)).toString('utf8')) as { token?: string; access_token?: string };
      return body.token ?? body.access_token;
    });
    if (!token) throw new RegistryError(`${what}: the answer holds no token`);
    return `Bearer ${token}`;
  }

  /**
   * One request, authenticated on a 401 challenge and replayed once; `read` consumes the answer.
   * 5xx answers become retryable errors before `read` sees them.
   */
  const CHALLENGED = Symbol('challenged');

  async function request<T>(what: string, method: string, pathOrUrl: string, repository: string, init: { headers?: Record<string, string>; body?: Buffer }, read: (response: Response) => Promise<T>): Promise<T> {
    const url = new URL(pathOrUrl, base);
    // Credentials and tokens go to the registry's own origin only; an upload elsewhere carries none.
    const own = url.origin === origin;
    const scope = `repository:${repository}:${actions}`;
    let challenge = '';
    progress(what);
    const attempt = (): Promise<T | typeof CHALLENGED> => {
      const auth = own ? tokens.get(scope) : undefined;
      return send(what, url, { method, headers: { ...init.headers, ...(auth && { authorization: auth }) }, ...(init.body && { body: init.body }) }, async (response) => {
        if (response.status === 401 && response.headers.get('www-authenticate') && !auth && own) {
          challenge = response.headers.get('www-authenticate') ?? '';
          await response.body?.cancel();
          return CHALLENGED;
        }
        if (response.status === 401 || response.status === 403) throw await refusal(response, what, `check the credentials for ${host} and their rights on ${repository}`);
        if (RETRYABLE_STATUS(response.status)) throw await refusal(response, what);
        return read(response);
      });
    };
    const first = await attempt();
    if (first !== CHALLENGED) return first;
    tokens.set(scope, await authorize(challenge, scope));
    const second = await attempt();
    if (second === CHALLENGED) throw new RegistryError(`${what}: ${host} refused the credentials`, 401, `check the credentials for ${host}`);
    return second;
  }

  const reader: RegistryReader = {
    host,
    async manifestDigest(repository, reference) {
      const manifest = await reader.getManifest(repository, reference);
      return manifest && sha256(manifest);
    },
    getManifest: (repository, reference, accept = MEDIA_TYPES.manifest) => {
      const what = `GET manifest ${repository}:${reference}`;
      return withRetry(what, () =>
        request(what, 'GET', `/v2/${repository}/manifests/${reference}`, repository, { headers: { accept } }, async (response) => {
          if (response.status === 404) {
            await response.body?.cancel();
            return undefined;
          }
          if (!response.ok) throw await refusal(response, what);
          const data = await readBody(response, LIMITS.manifestBytes, what);
          const claimed = response.headers.get('docker-content-digest');
          if (reference.startsWith('sha256:') && sha256(data) !== reference) throw new RegistryError(`${what}: the registry answered content whose digest is ${sha256(data)}`);
          if (claimed && claimed.startsWith('sha256:') && claimed !== sha256(data)) throw new RegistryError(`${what}: the registry says ${claimed} but sent content whose digest is ${sha256(data)}`);
          return data;
        }),
      );
    },
    hasBlob: (repository, digest) => {
      const what = `HEAD blob ${short(digest)}`;
      return withRetry(what, () =>
        request(what, 'HEAD', `/v2/${repository}/blobs/${digest}`, repository, {}, async (response) => {
          await response.body?.cancel();
          if (response.status === 404) return false;
          if (!response.ok) throw await refusal(response, what);
          return true;
        }),
      );
    },
    getBlob: (repository, digest, size) => {
      const what = `GET blob ${short(digest)}`;
      return withRetry(what, () =>
        request(what, 'GET', `/v2/${repository}/blobs/${digest}`, repository, {}, async (response) => {
          if (!response.ok) throw await refusal(response, what);
          const data = await readBody(response, Math.min(size ?? LIMITS.blobBytes, LIMITS.blobBytes), what);
          if (sha256(data) !== digest || (size !== undefined && data.length !== size)) throw new RegistryError(`${what}: the registry sent ${data.length} bytes whose digest is ${sha256(data)}, not the blob asked for`);
          return data;
        }),
      );
    },
    listTags: (repository) => {
      const what = `GET tags of ${repository}`;
      return withRetry(what, () =>
        request(what, 'GET', `/v2/${repository}/tags/list`, repository, {}, async (response) => {
          if (response.status === 404) {
            await response.body?.cancel();
            return [];
          }
          if (!response.ok) throw await refusal(response, what);
          const body = JSON.parse((await readBody(response, LIMITS.tagListBytes, what)).toString('utf8')) as { tags?: unknown };
          return Array.isArray(body.tags) ? body.tags.filter((t): t is string => typeof t === 'string') : [];
        }),
      );
    },
  };
  if (options.access === 'pull') return reader;
  const client: RegistryClient = {
    ...reader,
    uploadBlob: (repository, blob) => {
      const what = `upload blob ${short(blob.digest)} (${blob.size} bytes)`;
      return withRetry(what, async () => {
        const location = await request(`POST ${what}`, 'POST', `/v2/${repository}/blobs/uploads/`, repository, {}, async (response) => {
          if (response.status !== 202) throw await refusal(response, `start ${what}`);
          await response.body?.cancel();
          const where = response.headers.get('location');
          if (!where) throw new RegistryError(`start ${what}: the registry named no upload location`);
          return where;
        });
        const url = new URL(location, base);
        elsewhere(url, `start ${what}: the upload location`);
        url.searchParams.set('digest', blob.digest);
        await request(`PUT ${what}`, 'PUT', url.toString(), repository, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) }, body: blob.data }, async (response) => {
          if (response.status !== 201) throw await refusal(response, what);
          await response.body?.cancel();
        });
      });
    },
    putManifest: (repository, reference, manifest) => {
      const what = `PUT manifest ${repository}:${reference}`;
      return withRetry(what, () =>
        request(what, 'PUT', `/v2/${repository}/manifests/${reference}`, repository, { headers: { 'content-type': manifest.mediaType }, body: manifest.data }, async (response) => {
          if (response.status !== 201) throw await refusal(response, what);
          await response.body?.cancel();
          const stored = response.headers.get('docker-content-digest');
          if (stored && stored !== manifest.digest) throw new RegistryError(`${what}: the registry stored ${stored}, not ${manifest.digest}`);
        }),
      );
    },
  };
  return client;
}
