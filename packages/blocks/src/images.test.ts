import { describe, expect, it } from 'vitest';
import { imageRef } from './images.js';

const DIGEST = `sha256:${'c'.repeat(64)}`;

describe('an image reference as render writes it', () => {
  it('carries the digest the lock holds for its tag, and only for that tag', () => {
    const lock = { 'ghcr.io/acme/api:1.0.0': DIGEST };
    expect(imageRef('ghcr.io/acme/api', '1.0.0', lock)).toBe(`ghcr.io/acme/api:1.0.0@${DIGEST}`);
    expect(imageRef('ghcr.io/acme/api', '1.0.1', lock)).toBe('ghcr.io/acme/api:1.0.1');
  });

  it('refuses a lock entry that is not a sha256 digest, naming the image', () => {
    expect(() => imageRef('ghcr.io/acme/api', '1.0.0', { 'ghcr.io/acme/api:1.0.0': 'sha256:abc' })).toThrow('images.lock.json pins ghcr.io/acme/api:1.0.0 to "sha256:abc", which is not a sha256 digest');
  });
});
