/**
 * Validators for every kind a distribution may hold: core kinds from the Kubernetes OpenAPI v3
 * documents of the pinned release, Flagger kinds from Flagger's own CRD. Compiled with ajv on first
 * use of a kind in a process, and kept between processes when given a cache directory.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { _, Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { type CompiledCache, documentDigest, entryOf, FORMATS_MODULE, readCompiled, writeCompiled } from './compiled.js';
import { rejectUnknownFields } from './strict.js';

export interface SchemaSources {
  /** Directory holding `api__v1_openapi.json`, `apis__apps__v1_openapi.json`, ... */
  readonly openApiDir: string;
  /** CRD files (YAML, several documents each). */
  readonly crdFiles: readonly string[];
  /** Where compiled validators are kept between runs; none: compile in every process. */
  readonly cacheDir?: string;
}

export interface SchemaRegistry {
  /** undefined when no schema is known for the kind. */
  validator(apiVersion: string, kind: string): Promise<ValidateFunction | undefined>;
}

interface Gvk {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

const integer = (low: number, high: number) => ({ type: 'number' as const, validate: (n: number) => Number.isInteger(n) && n >= low && n <= high });

export const INTEGER_FORMATS = {
  int32: integer(-(2 ** 31), 2 ** 31 - 1),
  // JSON numbers beyond 2^53 lose precision before anyone reads them: as good as out of range.
  int64: integer(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  ...Object.fromEntries(['int-or-string', 'byte', 'date-time', 'double', 'string', 'url'].map((f) => [f, true])),
};
const CORE_V1 = 'https://kubernetes.local/api/v1';

const documentFile = (apiVersion: string): string => {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return group ? `apis__${group}__${version}_openapi.json` : `api__${version}_openapi.json`;
};

type OpenApiDocument = { components: { schemas: Record<string, { 'x-kubernetes-group-version-kind'?: Gvk[] }> } };

interface LoadedDocument {
  /** The schema as ajv compiles it, unknown fields closed. */
  readonly schema: { $id: string; components: unknown };
  readonly digest: string;
  /** kind → `$ref` of its schema, for the kinds of the document's apiVersion. */
  readonly kinds: Map<string, string>;
}

// Everything besides the schemas that decides what ajv generates.
const AJV_OPTIONS = { strict: false, allErrors: true, verbose: true, logger: false } as const;

export function createSchemaRegistry(sources: SchemaSources): SchemaRegistry {
  // The integer formats bound what the API server stores; the other formats in the schemas
  // (int-or-string, byte, date-time, ...) say nothing our objects could get wrong.
  const ajv = new Ajv({ ...AJV_OPTIONS, formats: INTEGER_FORMATS, code: { source: true, formats: _`require(${FORMATS_MODULE})` } });
  const cache: CompiledCache = { dir: sources.cacheDir, fingerprint: JSON.stringify([AJV_OPTIONS, Object.keys(INTEGER_FORMATS)]), formats: INTEGER_FORMATS };
  const documents = new Map<string, Promise<LoadedDocument | undefined>>();
  const registered = new Set<string>();
  const crds = loadCrds(sources.crdFiles);
  const compiled = new Map<string, Promise<ValidateFunction | undefined>>();

  const openApiDocument = (apiVersion: string): Promise<LoadedDocument | undefined> => {
    const file = documentFile(apiVersion);
    let loaded = documents.get(file);
    if (!loaded) {
      loaded = readFile(join(sources.openApiDir, file), 'utf8').then(
        (text) => {
          const doc = JSON.parse(text) as OpenApiDocument;
          const id = `https://kubernetes.local/${file.replace(/__/g, '/').replace(/_openapi\.json$/, '')}`;
          const schema = { $id: id, components: rejectUnknownFields(doc.components) };
          const kinds = new Map<string, string>();
          for (const [name, definition] of Object.entries(doc.components.schemas)) {
            for (const gvk of definition['x-kubernetes-group-version-kind'] ?? []) {
              if ((gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version) === apiVersion) kinds.set(gvk.kind, `${id}#/components/schemas/${name}`);
            }
          }
          return { schema, digest: documentDigest(schema), kinds };
        },
        () => undefined,
      );
      documents.set(file, loaded);
    }
    return loaded;
  };

  /** Compiles `root`, whose refs reach into `reached`; ajv reads those only when it compiles. */
  const compileReaching = async (root: object, reached: readonly LoadedDocument[]): Promise<ValidateFunction> => {
    const entry = entryOf(cache, root, reached.map((d) => d.digest));
    const stored = entry && (await readCompiled(cache, entry));
    if (stored) return stored;
    for (const { schema } of reached) {
      if (!registered.has(schema.$id)) ajv.addSchema(schema);
      registered.add(schema.$id);
    }
    const validate = ajv.compile(root);
    if (entry) await writeCompiled(ajv, validate, entry);
    return validate;
  };

  const compile = async (apiVersion: string, kind: string): Promise<ValidateFunction | undefined> => {
    const crd = (await crds).get(`${apiVersion}/${kind}`);
    if (crd) {
      // Custom resources get ObjectMeta checked like core objects (the CRD only says `type: object`).
      const core = await openApiDocument('v1');
      const properties = { ...(crd['properties'] as object), metadata: { $ref: `${CORE_V1}#/components/schemas/${OBJECT_META}` } };
      return compileReaching({ ...crd, properties }, core ? [core] : []);
    }
    const document = await openApiDocument(apiVersion);
    const ref = document?.kinds.get(kind);
    return document && ref ? compileReaching({ $ref: ref }, [document]) : undefined;
  };

  return {
    validator(apiVersion, kind) {
      const key = `${apiVersion}/${kind}`;
      let validator = compiled.get(key);
      if (!validator) {
        validator = compile(apiVersion, kind);
        compiled.set(key, validator);
      }
      return validator;
    },
  };
}

type CrdDocument = {
  kind?: string;
  spec?: { group: string; names: { kind: string }; versions: { name: string; served: boolean; schema?: { openAPIV3Schema: Record<string, unknown> } }[] };
};

async function loadCrds(files: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
  const schemas = new Map<string, Record<string, unknown>>();
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
      const crd = doc.toJS() as CrdDocument | null;
      if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
      for (const version of crd.spec.versions) {
        if (version.served && version.schema) {
          schemas.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, rejectUnknownFields(version.schema.openAPIV3Schema));
        }
      }
    }
  }
  return schemas;
}

export type { ErrorObject };
