/**
 * Registry credentials: CANARYSHIP_REGISTRY_USERNAME / _PASSWORD, else the Docker config file
 * (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`, `auths.<host>`), as docker, skopeo and
 * flux read it. Credential helpers are not run. The variables are for the registry canaryship
 * publishes to; the images' registries get only what the config file holds for them.
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
  return dockerConfigCredentials(host, env);
}

/** Where `docker login` keeps Docker Hub's entry, whose API host is registry-1.docker.io. */
const DOCKER_HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io'];

/** What the Docker config file holds for `host` alone (an image's registry: never the publishing variables). */
export async function dockerConfigCredentials(host: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials | undefined> {
  const file = join(env['DOCKER_CONFIG'] ?? join(homedir(), '.docker'), 'config.json');
  let config: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
  try {
    config = JSON.parse(await readFile(file, 'utf8')) as typeof config;
  } catch {
    return undefined;
  }
  const keys = [host, `https://${host}`, `http://${host}`, ...(host === 'registry-1.docker.io' ? DOCKER_HUB_KEYS : [])];
  const entry = keys.map((key) => config.auths?.[key]).find(Boolean);
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
