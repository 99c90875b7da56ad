/** `canaryship diff`: a local build against a published version. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { diffArtifact } from '@canaryship/release';
import { printJson, UsageError, type Command } from '../command.js';
import { DEFAULT_LAYOUT } from './publish.js';

export const diffCommand: Command = {
  name: 'diff',
  help: `diff DIR --version X.Y.Z [--registry HOST[:PORT][/PREFIX]] [--insecure] [--layout DIR] [--json]
      Compare the environment package's dist/ with a published version (from the registry, or the
      local layout): "unchanged" when the layers are identical, else the object-level changes.
      Exit 0 when unchanged, 1 when they differ.`,
  examples: ['canaryship diff environments/istio --version 0.1.0', 'canaryship diff environments/linkerd --version 0.2.0 --registry ghcr.io/acme --json'],
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        version: { type: 'string' },
        registry: { type: 'string' },
        insecure: { type: 'boolean', default: false },
        layout: { type: 'string', default: DEFAULT_LAYOUT },
        json: { type: 'boolean', default: false },
      },
    });
    const [dir] = positionals;
    if (!dir || positionals.length > 1 || !values.version) throw new UsageError('diff needs one environment package directory and --version');
    const result = await diffArtifact({
      packageDir: resolve(io.cwd, dir),
      version: values.version,
      layoutRoot: resolve(io.cwd, values.layout),
      ...(values.registry && { registry: values.registry }),
      insecure: values.insecure,
    });
    if (values.json) printJson(io, result);
    else if (result.unchanged) io.stdout.write(`unchanged: ${result.reference}\n`);
    else {
      io.stdout.write(`${result.reference} → local: ${result.changes.length} object(s) differ\n`);
      for (const c of result.changes) io.stdout.write(`  ${c.change.padEnd(7)} ${c.object} (${c.file})${c.fields ? `: ${c.fields.join(', ')}` : ''}\n`);
    }
    return result.unchanged ? 0 : 1;
  },
};
