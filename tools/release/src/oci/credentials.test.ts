import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerConfigCredentials, findCredentials, parseChallenge } from './credentials.js';

const dockerConfig = (auths: unknown): string => {
  const dir = mkdtempSync(join(tmpdir(), 'canaryship-docker-'));
  writeFileSync(join(dir, 'config.json'), typeof auths === 'string' ? auths : JSON.stringify({ auths }));
  return dir;
};

describe('registry credentials', () => {
  it('prefer the environment, both variables set', async () => {
    const config = dockerConfig({ 'r.io': { username: 'file', password: 'f' } });
    expect(await findCredentials('r.io', { CANARYSHIP_REGISTRY_USERNAME: 'ci', CANARYSHIP_REGISTRY_PASSWORD: 'p', DOCKER_CONFIG: config })).toEqual({ username: 'ci', password: 'p' });
    expect(await findCredentials('r.io', { CANARYSHIP_REGISTRY_USERNAME: 'ci', DOCKER_CONFIG: config })).toEqual({ username: 'file', password: 'f' });
  });

  it("read the Docker config file's entry for the host, by name or URL, as username and password or base64 auth", async () => {
    const auth = (s: string) => Buffer.from(s).toString('base64');
    const config = dockerConfig({ 'a.io': { auth: auth('ann:pa:ss') }, 'https://b.io': { username: 'bob', password: 'b' }, 'http://c.io': { auth: auth('cy:c') }, 'd.io': { auth: auth('nocolon') }, 'e.io': { auth: auth(':empty-user') }, 'f.io': {} });
    const env = { DOCKER_CONFIG: config };
    expect(await findCredentials('a.io', env)).toEqual({ username: 'ann', password: 'pa:ss' });
    expect(await findCredentials('b.io', env)).toEqual({ username: 'bob', password: 'b' });
    expect(await findCredentials('c.io', env)).toEqual({ username: 'cy', password: 'c' });
    for (const host of ['d.io', 'e.io', 'f.io', 'z.io']) expect(await findCredentials(host, env), host).toBeUndefined();
  });

  it("for an image's registry, come from the Docker config file only, with Docker Hub's entry where docker login keeps it", async () => {
    const config = dockerConfig({ 'https://index.docker.io/v1/': { username: 'hub', password: 'h' }, 'quay.io': { username: 'q', password: 'q' } });
    const env = { CANARYSHIP_REGISTRY_USERNAME: 'ci', CANARYSHIP_REGISTRY_PASSWORD: 'publish-token', DOCKER_CONFIG: config };
    expect(await dockerConfigCredentials('registry-1.docker.io', env)).toEqual({ username: 'hub', password: 'h' });
    expect(await dockerConfigCredentials('quay.io', env)).toEqual({ username: 'q', password: 'q' });
    expect(await dockerConfigCredentials('ghcr.io', env)).toBeUndefined();
  });

  it('are absent, never an error, when the file is missing or not JSON', async () => {
    expect(await findCredentials('r.io', { DOCKER_CONFIG: join(tmpdir(), 'canaryship-no-such-dir') })).toBeUndefined();
    expect(await findCredentials('r.io', { DOCKER_CONFIG: dockerConfig('{not json') })).toBeUndefined();
  });
});

describe('WWW-Authenticate', () => {
  it('gives the scheme in lower case and every quoted parameter', () => {
    expect(parseChallenge('Bearer realm="https://auth.io/token",service="registry.io",scope="repository:webapp/istio:pull,push"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.io/token', service: 'registry.io', scope: 'repository:webapp/istio:pull,push' },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: 'basic', params: { realm: 'Registry Realm' } });
    expect(parseChallenge('Basic')).toEqual({ scheme: 'basic', params: {} });
  });
});
