/** `canaryship publish`: environment distributions → OCI artifacts in Flux's format. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { publish } from '@canaryship/release';
import { printJson, progressTo, UsageError, type Command } from '../command.js';

export const DEFAULT_LAYOUT = '.artifacts/oci';

export const publishCommand: Command = {
  name: 'publish',
  help: `publish DIR... [--registry HOST[:PORT][/PREFIX]] [--insecure] [--layout DIR] [--json]
      Publish each environment package's dist/ as <registry>/webapp/<env>:<version>. Always into the
      local OCI layout (default ${DEFAULT_LAYOUT}); with --registry, then pushed from it. A version
      that exists with other content is refused; with the same content nothing is uploaded.
      Credentials: CANARYSHIP_REGISTRY_USERNAME/PASSWORD or the Docker config file.
      SOURCE_DATE_EPOCH overrides the release time (default: the commit of the version).`,
  examples: [
    'canaryship publish environments/istio',
    'canaryship publish environments/* --registry ghcr.io/acme --json',
    'canaryship publish environments/kubernetes --registry 127.0.0.1:5000 --insecure',
  ],
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        registry: { type: 'string' },
        insecure: { type: 'boolean', default: false },
        layout: { type: 'string', default: DEFAULT_LAYOUT },
        json: { type: 'boolean', default: false },
      },
    });
    if (positionals.length === 0) throw new UsageError('publish needs at least one environment package directory');
    const artifacts = [];
    for (const dir of positionals) {
      artifacts.push(
        await publish({
          packageDir: resolve(io.cwd, dir),
          layoutRoot: resolve(io.cwd, values.layout),
          ...(values.registry && { registry: values.registry }),
          insecure: values.insecure,
          onProgress: progressTo(io),
        }),
      );
    }
    if (values.json) printJson(io, { artifacts });
    else for (const a of artifacts) io.stdout.write(`${a.reference}@${a.digest} ${a.registry?.status ?? a.layout.status}${a.registry?.latest ? ' (latest)' : ''}\n`);
    return 0;
  },
};

