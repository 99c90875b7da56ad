/** The options every registry command shares, parsed once: where, how securely, how patiently. */
import { parseRegistryAddress, type RegistryAddress } from '@canaryship/release';
import { UsageError } from '../command.js';
import { DEFAULT_LAYOUT, DEFAULT_TIMEOUT_SECONDS } from './defaults.js';

export const REGISTRY_OPTIONS = {
  registry: { type: 'string' },
  insecure: { type: 'boolean', default: false },
  layout: { type: 'string', default: DEFAULT_LAYOUT },
  timeout: { type: 'string', default: String(DEFAULT_TIMEOUT_SECONDS) },
  json: { type: 'boolean', default: false },
} as const;

export interface RegistryValues {
  readonly registry?: string | undefined;
  readonly insecure?: boolean | undefined;
  readonly timeout?: string | undefined;
}

/** `--registry` (no scheme, no credentials) and `--timeout` (seconds per request), checked once. */
export function registryTarget(values: RegistryValues): { registry?: RegistryAddress; requestTimeoutMs: number } {
  const given = values.timeout ?? String(DEFAULT_TIMEOUT_SECONDS);
  const seconds = Number(given);
  if (!/^\d+(\.\d+)?$/.test(given) || seconds <= 0 || seconds > 3600) {
    throw new UsageError(`--timeout must be a number of seconds between 0 and 3600, not "${values.timeout}"`);
  }
  if (values.insecure && values.registry === undefined) throw new UsageError('--insecure only applies with --registry');
  return {
    ...(values.registry !== undefined && { registry: parseRegistryAddress(values.registry, { insecure: values.insecure ?? false }) }),
    requestTimeoutMs: seconds * 1000,
  };
}

/**
 * `REGISTRY=[http://]HOST[:PORT][/PREFIX]`: where to ask for REGISTRY's images instead. Each mirror
 * says for itself whether it is plain HTTP (`http://`, a mirror on loopback only), so a loopback
 * mirror and an HTTPS `--registry` go together.
 */
export function imageMirrors(values: readonly string[]): Map<string, RegistryAddress> {
  const mirrors = new Map<string, RegistryAddress>();
  for (const value of values) {
    const [registry = '', mirror, ...rest] = value.split('=');
    if (!/^[a-z0-9.-]+(:\d{1,5})?$/.test(registry) || mirror === undefined || rest.length > 0) {
      // A value that could carry credentials is not repeated (as --registry's are not).
      const shown = /[@?#]/.test(value) ? 'the value given (not repeated: it could carry credentials)' : `"${value.slice(0, 200)}"`;
      throw new UsageError(`--image-mirror takes REGISTRY=[http://]HOST[:PORT][/PREFIX] (e.g. ghcr.io=http://127.0.0.1:5000), not ${shown}`);
    }
    const plain = mirror.startsWith('http://');
    mirrors.set(registry === 'index.docker.io' ? 'docker.io' : registry, parseRegistryAddress(plain ? mirror.slice('http://'.length) : mirror, { insecure: plain, flag: '--image-mirror' }));
  }
  return mirrors;
}
