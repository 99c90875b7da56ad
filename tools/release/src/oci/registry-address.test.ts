import { CanaryshipError } from '@canaryship/blocks';
import { describe, expect, it } from 'vitest';
import { isLoopback, parseRegistryAddress } from './registry-address.js';

/** The message and hint `--registry value` is refused with. */
const refusal = (value: string, insecure = false): { message: string; hint?: string; code: string; exitCode: number } => {
  try {
    parseRegistryAddress(value, { insecure });
  } catch (error) {
    const e = error as CanaryshipError;
    expect(e).toBeInstanceOf(CanaryshipError);
    return { message: e.message, code: e.code, exitCode: e.exitCode, ...(e.hint !== undefined && { hint: e.hint }) };
  }
  throw new Error(`${value} was accepted`);
};
const USAGE = 'expected HOST[:PORT][/PREFIX], e.g. ghcr.io/acme or 127.0.0.1:5000';

describe('--registry', () => {
  it('takes a host, a port and a path prefix, lowercasing the host', () => {
    expect(parseRegistryAddress('GHCR.io/acme/apps')).toEqual({ host: 'ghcr.io', prefix: 'acme/apps', insecure: false });
    expect(parseRegistryAddress('oci://registry.example.com:5000/')).toEqual({ host: 'registry.example.com:5000', prefix: '', insecure: false });
    expect(parseRegistryAddress('[::1]:5000', { insecure: true })).toEqual({ host: '[::1]:5000', prefix: '', insecure: true });
    expect(parseRegistryAddress('r.io/a.b/c__d/e--f/g_h')).toEqual({ host: 'r.io', prefix: 'a.b/c__d/e--f/g_h', insecure: false });
    expect(parseRegistryAddress('localhost:1').host).toBe('localhost:1');
    expect(parseRegistryAddress('localhost:65535').host).toBe('localhost:65535');
  });

  it('refuses credentials without repeating them, schemes, bad hosts, ports and path parts, each with what to do', () => {
    for (const value of ['user:pw@ghcr.io/acme', 'ghcr.io/acme?token=s3cret', 'https://ghcr.io?access_token=s3cret', 'ghcr.io#s3cret', 'ghcr.io/acme/?']) {
      const refused = refusal(value);
      expect(refused, value).toEqual({ message: '--registry must not carry credentials, a query or a fragment (its value is not repeated here)', hint: 'set CANARYSHIP_REGISTRY_USERNAME and CANARYSHIP_REGISTRY_PASSWORD, or log in with docker/oras/flux', code: 'registry.address', exitCode: 2 });
      expect(JSON.stringify(refused)).not.toContain('s3cret');
    }
    expect(refusal('http://127.0.0.1:5000')).toMatchObject({ message: '--registry takes no http:// scheme: "http://127.0.0.1:5000"', hint: 'for plain HTTP to a registry on loopback, add --insecure' });
    expect(refusal('https://ghcr.io')).toMatchObject({ message: '--registry takes no https:// scheme: "https://ghcr.io"', hint: USAGE });
    expect(refusal('oci://https://ghcr.io')).toMatchObject({ message: '--registry takes no https:// scheme: "oci://https://ghcr.io"' });
    expect(refusal('-bad-.io')).toMatchObject({ message: '--registry has no valid host in "-bad-.io"', hint: USAGE });
    expect(refusal('')).toMatchObject({ message: '--registry has no valid host in ""' });
    expect(refusal('r.io:0')).toMatchObject({ message: '--registry port 0 is outside 1-65535' });
    expect(refusal('r.io:65536')).toMatchObject({ message: '--registry port 65536 is outside 1-65535' });
    expect(refusal('r.io/Acme')).toMatchObject({ message: '--registry path component "Acme" is not a valid repository name part (lowercase letters, digits, and . _ - between them)' });
    for (const part of ['a..b', 'a___b', '-a', 'a-', 'a b', '']) expect(refusal(`r.io/${part}/x`).message, part).toContain(`path component "${part}"`);
  });

  it('bounds the length of a reference at 255 characters', () => {
    const at = `r.io/${'a'.repeat(250)}`;
    expect(parseRegistryAddress(at).prefix).toHaveLength(250);
    expect(refusal(`${at}b`).message).toBe('--registry is 256 characters long; a registry reference has at most 255');
  });

  it('allows plain HTTP to loopback only', () => {
    for (const host of ['localhost', 'localhost:5000', '127.0.0.1:5000', '127.12.0.255', '[::1]:5000']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['localhost.example.com', 'evil.localhost', '127.0.0.1.nip.io', '1127.0.0.1', '127.0.0.1:', '127.0.0.1000', '10.0.0.1:5000', '[::2]']) expect(isLoopback(host), host).toBe(false);
    expect(refusal('ghcr.io/acme', true)).toEqual({ message: '--insecure (plain HTTP) is only allowed for a registry on loopback, not ghcr.io'.replace(/^/, '--registry '), hint: 'drop --insecure: every other registry is reached over HTTPS', code: 'registry.address', exitCode: 2 });
  });
});
