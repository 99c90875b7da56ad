/**
 * Registry clients for the images a distribution runs: one per registry the references name, or
 * per mirror standing in for it, each with pull access only and with the credentials the Docker
 * config file holds for that host, if any (anonymous otherwise, as public images are pulled).
 */
import { dockerConfigCredentials } from '../oci/credentials.js';
import type { RegistryAddress } from '../oci/registry-address.js';
import { createRegistryClient, type RegistryReader } from '../oci/registry.js';
import type { ConnectOptions } from '../publish.js';
import { apiHost, type ImageReference } from './reference.js';

export interface ImageRegistryOptions extends ConnectOptions {
  /** Ask a mirror that holds the same manifests for a registry's images: `ghcr.io` → `127.0.0.1:5000`. */
  readonly mirrors?: ReadonlyMap<string, RegistryAddress>;
}

/** The client that answers for `reference`'s registry, and its repository there (under the mirror's prefix). */
export type ImageRegistry = (reference: ImageReference) => Promise<{ readonly client: RegistryReader; readonly repository: string }>;

export function imageRegistries(options: ImageRegistryOptions): ImageRegistry {
  const clients = new Map<string, Promise<{ client: RegistryReader; prefix: string }>>();
  return async (reference) => {
    let entry = clients.get(reference.registry);
    if (!entry) {
      const address = options.mirrors?.get(reference.registry) ?? { host: apiHost(reference.registry), prefix: '', insecure: false };
      // Never the publishing registry's variables: those are for the --registry host only.
      entry = dockerConfigCredentials(address.host, options.env).then((credentials) => ({
        client: createRegistryClient({
          address,
          access: 'pull',
          ...(options.requestTimeoutMs !== undefined && { requestTimeoutMs: options.requestTimeoutMs }),
          ...(options.retry && { retry: options.retry }),
          ...(options.onProgress && { onProgress: options.onProgress }),
          ...(credentials && { credentials }),
        }),
        prefix: address.prefix,
      }));
      clients.set(reference.registry, entry);
    }
    const { client, prefix } = await entry;
    return { client, repository: prefix ? `${prefix}/${reference.repository}` : reference.repository };
  };
}
