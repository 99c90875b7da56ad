import { describe, expect, it } from 'vitest';
import { apiHost, lockKey, parseImageReference } from './reference.js';

const DIGEST = `sha256:${'0f'.repeat(32)}`;

describe('an image reference, read as Docker reads it', () => {
  it.each([
    ['ghcr.io/stefanprodan/podinfo:6.14.1', { name: 'ghcr.io/stefanprodan/podinfo', registry: 'ghcr.io', repository: 'stefanprodan/podinfo', tag: '6.14.1' }],
    ['envoyproxy/envoy:distroless-v1.39.6', { name: 'envoyproxy/envoy', registry: 'docker.io', repository: 'envoyproxy/envoy', tag: 'distroless-v1.39.6' }],
    ['nginx:1.27', { name: 'nginx', registry: 'docker.io', repository: 'library/nginx', tag: '1.27' }],
    ['index.docker.io/library/nginx:1.27', { name: 'index.docker.io/library/nginx', registry: 'docker.io', repository: 'library/nginx', tag: '1.27' }],
    ['localhost/app:1', { name: 'localhost/app', registry: 'localhost', repository: 'app', tag: '1' }],
    ['127.0.0.1:5000/team/app:1.0.0', { name: '127.0.0.1:5000/team/app', registry: '127.0.0.1:5000', repository: 'team/app', tag: '1.0.0' }],
    [`ghcr.io/acme/app:2.0.0@${DIGEST}`, { name: 'ghcr.io/acme/app', registry: 'ghcr.io', repository: 'acme/app', tag: '2.0.0', digest: DIGEST }],
    [`ghcr.io/acme/app@${DIGEST}`, { name: 'ghcr.io/acme/app', registry: 'ghcr.io', repository: 'acme/app', digest: DIGEST }],
    ['ghcr.io/acme/app', { name: 'ghcr.io/acme/app', registry: 'ghcr.io', repository: 'acme/app' }],
    ['MyReg/app:1 (a capital makes the first part a registry)', { name: 'MyReg/app', registry: 'MyReg', repository: 'app', tag: '1' }],
    ['[::1]:5000/app:1 (a registry by IPv6 address)', { name: '[::1]:5000/app', registry: '[::1]:5000', repository: 'app', tag: '1' }],
    [`ghcr.io/${'a'.repeat(247)}:1 (a name of exactly 255 characters)`, { name: `ghcr.io/${'a'.repeat(247)}`, registry: 'ghcr.io', repository: 'a'.repeat(247), tag: '1' }],
    ['DOCKER.IO/nginx:1 (only docker.io itself is Docker Hub)', { name: 'DOCKER.IO/nginx', registry: 'DOCKER.IO', repository: 'nginx', tag: '1' }],
  ])('%s', (value, expected) => {
    expect(parseImageReference(value.replace(/ \(.*\)$/, ''))).toEqual(expected);
  });

  it.each([
    ['an empty string', ''],
    ['uppercase in the repository', 'ghcr.io/Acme/app:1'],
    ['a space', 'ghcr.io/acme/app :1'],
    ['two tags', 'ghcr.io/acme/app:1:2'],
    ['a short digest', 'ghcr.io/acme/app@sha256:abc'],
    ['a shell command', 'app:1;rm -rf /'],
    ['a tag longer than 128 characters', `app:${'a'.repeat(129)}`],
    ['a reference longer than any registry takes', `ghcr.io/${'a/'.repeat(300)}app:1`],
    ['a name of 256 characters', `ghcr.io/${'a'.repeat(248)}:1`],
  ])('is refused when it holds %s', (_, value) => {
    expect(parseImageReference(value)).toBeUndefined();
  });

  it("asks Docker Hub's API host for docker.io's images, every other registry itself", () => {
    expect([apiHost('docker.io'), apiHost('ghcr.io'), apiHost('127.0.0.1:5000')]).toEqual(['registry-1.docker.io', 'ghcr.io', '127.0.0.1:5000']);
  });

  it('keys the lock by the name as written and the tag', () => {
    const reference = parseImageReference(`envoyproxy/envoy:v1@${DIGEST}`);
    expect(reference?.tag && lockKey({ name: reference.name, tag: reference.tag })).toBe('envoyproxy/envoy:v1');
  });
});
