/**
 * Registry credentials: CANARYSHIP_REGISTRY_USERNAME / _PASSWORD, else the Docker config file
 * (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`, `auths.<host>`), as docker, skopeo and
 * flux read it. Credential helpers are not run.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export async function findCredentials(host: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials | undefined> {
  const username = env['CANARYSHIP_REGISTRY_USERNAME'];
  const password = env['CANARYSHIP_REGISTRY_PASSWORD'];
  if (username && password) return { username, password };
  const file = join(env['DOCKER_CONFIG'] ?? join(homedir(), '.docker'), 'config.json');
  let config: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
  try {
    config = JSON.parse(await readFile(file, 'utf8')) as typeof config;
  } catch {
    return undefined;
  }
  const entry = config.auths?.[host] ?? config.auths?.[`https://${host}`] ?? config.auths?.[`http://${host}`];
  if (!entry) return undefined;
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}

/** Parses `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` (or Basic). */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space === -1 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const match of header.slice(space + 1).matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) params[match[1]!.toLowerCase()] = match[2]!;
  return { scheme, params };
}
