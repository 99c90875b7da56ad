/**
 * A container image reference, `[registry/]repository[:tag][@digest]`, as Docker and containerd
 * read it (github.com/distribution/reference, normalize.go): a first path component with a dot, a
 * colon, a capital letter or `localhost` is the registry, anything else is on Docker Hub, where a
 * one-part name is in `library/`; a name is at most 255 characters. Written here: the npm registry has no maintained parser of this grammar, and
 * these twenty lines are all of it a distribution's images need.
 */
export interface ImageReference {
  /** As written, without tag or digest: the lock's and kustomize's `images:` name. */
  readonly name: string;
  /** The registry, normalised: `docker.io` for Docker Hub. */
  readonly registry: string;
  /** The repository within it, normalised: `library/nginx` for `nginx`. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?';
const REFERENCE = new RegExp(`^((?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@(sha256:[0-9a-f]{64}))?$`);

/** Docker Hub's API host: `docker.io` names it in references but serves nothing. */
export const apiHost = (registry: string): string => (registry === 'docker.io' ? 'registry-1.docker.io' : registry);

/** The reference's parts, or undefined when it is not a reference Docker would pull. */
export function parseImageReference(value: string): ImageReference | undefined {
  if (value.length > 512) return undefined;
  const match = REFERENCE.exec(value);
  if (!match) return undefined;
  const [, name = '', tag, digest] = match;
  if (name.length > 255) return undefined;
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasRegistry = slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase() || first.startsWith('['));
  // Only these exact spellings are Docker Hub: `DOCKER.IO/x` is a registry of that name to Docker too.
  const registry = hasRegistry ? (first === 'index.docker.io' ? 'docker.io' : first) : 'docker.io';
  const path = hasRegistry ? name.slice(slash + 1) : name;
  const repository = registry === 'docker.io' && !path.includes('/') ? `library/${path}` : path;
  return { name, registry, repository, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/** `name:tag`: what a lock entry is keyed by. */
export const lockKey = (reference: { readonly name: string; readonly tag: string }): string => `${reference.name}:${reference.tag}`;
