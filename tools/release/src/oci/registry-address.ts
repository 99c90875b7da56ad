/**
 * `--registry HOST[:PORT][/PREFIX]`, parsed and checked once, before anything connects.
 * Credentials never travel in it (they would be echoed by shells, CI logs and error messages):
 * they come from CANARYSHIP_REGISTRY_USERNAME/_PASSWORD or the Docker config file. A value that
 * could carry them (userinfo, a query, a fragment) is refused without being repeated.
 * Grammar: the OCI distribution reference (github.com/distribution/reference, reference.go).
 */
import { CanaryshipError } from '@canaryship/blocks';

export interface RegistryAddress {
  /** `host[:port]`, lowercase. */
  readonly host: string;
  /** Path before `webapp/<env>`, e.g. `acme` for ghcr.io/acme; may be empty. */
  readonly prefix: string;
  /** Plain HTTP: only ever to a registry on loopback. */
  readonly insecure: boolean;
}

const LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*|\\[[0-9a-fA-F:.]+\\])(?::(\\d{1,5}))?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const LOOPBACK = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d+)?$/;
/** The longest repository name the reference grammar allows, prefix and `webapp/<env>` included. */
const MAX_LENGTH = 255;

/** `options.flag` names the option the value came from in every message (default `--registry`). */
export function parseRegistryAddress(value: string, options: { insecure?: boolean; flag?: string } = {}): RegistryAddress {
  const invalid = (message: string, hint?: string): CanaryshipError =>
    new CanaryshipError(`${options.flag ?? '--registry'} ${message}`, { code: 'registry.address', exitCode: 2, hint: hint ?? 'expected HOST[:PORT][/PREFIX], e.g. ghcr.io/acme or 127.0.0.1:5000' });
  // user:password@host, or a token in a query (?token=…, #access_token=…): refused before anything repeats the value.
  if (/[@?#]/.test(value)) {
    throw invalid('must not carry credentials, a query or a fragment (its value is not repeated here)', 'set CANARYSHIP_REGISTRY_USERNAME and CANARYSHIP_REGISTRY_PASSWORD, or log in with docker/oras/flux');
  }
  if (value.length > MAX_LENGTH) throw invalid(`is ${value.length} characters long; a registry reference has at most ${MAX_LENGTH}`);
  const withoutScheme = value.replace(/^oci:\/\//, '');
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(withoutScheme)?.[1];
  if (scheme) throw invalid(`takes no ${scheme}:// scheme: "${value}"`, scheme === 'http' ? 'for plain HTTP to a registry on loopback, add --insecure' : undefined);
  const [host = '', ...path] = withoutScheme.replace(/\/+$/, '').split('/');
  const port = HOST.exec(host)?.[1];
  if (!HOST.test(host)) throw invalid(`has no valid host in "${value}"`);
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) throw invalid(`port ${port} is outside 1-65535`);
  const bad = path.find((component) => !PATH_COMPONENT.test(component));
  if (bad !== undefined) throw invalid(`path component "${bad}" is not a valid repository name part (lowercase letters, digits, and . _ - between them)`);
  const normalized = host.toLowerCase();
  if (options.insecure && !LOOPBACK.test(normalized)) throw invalid(`--insecure (plain HTTP) is only allowed for a registry on loopback, not ${normalized}`, 'drop --insecure: every other registry is reached over HTTPS');
  return { host: normalized, prefix: path.join('/'), insecure: options.insecure ?? false };
}

export const isLoopback = (host: string): boolean => LOOPBACK.test(host);
