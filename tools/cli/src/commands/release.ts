/** `canaryship release`: version, build, validate, publish, tag. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { release } from '@canaryship/release';
import { printJson, progressTo, type Command } from '../command.js';
import { DEFAULT_LAYOUT } from './publish.js';

export const releaseCommand: Command = {
  name: 'release',
  help: `release [--registry HOST[:PORT][/PREFIX]] [--insecure] [--layout DIR] [--json]
      Apply pending changesets (a service bump bumps every environment that depends on it), commit,
      render and validate the environments with new versions, publish them, and tag git
      (<package>@<version>). Rerunning finishes an interrupted release.`,
  examples: ['npm run release -- --registry ghcr.io/acme', 'canaryship release --registry 127.0.0.1:5000 --insecure --json'],
  async run(args, io) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        registry: { type: 'string' },
        insecure: { type: 'boolean', default: false },
        layout: { type: 'string', default: DEFAULT_LAYOUT },
        json: { type: 'boolean', default: false },
      },
    });
    const result = await release({
      cwd: io.cwd,
      layoutRoot: resolve(io.cwd, values.layout),
      ...(values.registry && { registry: values.registry }),
      insecure: values.insecure,
      onProgress: progressTo(io),
    });
    if (values.json) printJson(io, result);
    else {
      for (const a of result.published) io.stdout.write(`published ${a.reference}@${a.digest}\n`);
      io.stdout.write(result.tags.length ? `tagged ${result.tags.join(', ')}\n` : 'nothing to release\n');
    }
    return 0;
  },
};
