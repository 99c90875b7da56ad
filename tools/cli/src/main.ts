/** Argument parsing and dispatch only; each command's work lives in its module under commands/. */
import { parseArgs } from 'node:util';
import { DistributionError, formatIssue } from '@canaryship/blocks';
import { formatFinding } from '@canaryship/validate';
import { UsageError, render } from './commands/render.js';
import { validate } from './commands/validate.js';

interface Io {
  readonly cwd: string;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

const HELP = `canaryship: typed manifests to Flux-ready distributions

Usage:
  canaryship render [DIR] [--out OUT] [--json]
      Render the distribution that the environment package in DIR (default: .) declares into
      DIR/dist (or OUT). Nothing is written unless every service input is valid.

  canaryship validate DIR... [--layer NAME]... [--json]
      Check rendered distributions: schema (Kubernetes OpenAPI and Flagger CRDs, unknown fields),
      references, policy (Pod Security restricted and more), kustomize, SLO queries (promtool).
      Exit 1 on any error.

Examples:
  canaryship render environments/istio
  canaryship render environments/linkerd --out /tmp/linkerd --json
  canaryship validate environments/*/dist
  canaryship validate environments/istio/dist --layer policy --layer references --json
`;

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'render': {
        const { values, positionals } = parseArgs({
          args: [...rest],
          allowPositionals: true,
          options: { out: { type: 'string' }, json: { type: 'boolean', default: false } },
        });
        if (positionals.length > 1) throw new UsageError(`render takes one package directory, got ${positionals.join(' ')}`);
        const result = await render({ cwd: io.cwd, packageDir: positionals[0], outDir: values.out });
        io.stdout.write(
          values.json ? `${JSON.stringify(result, null, 2)}\n` : `rendered ${result.environment}: ${result.files.length} files in ${result.outDir}\n`,
        );
        return 0;
      }
      case 'validate': {
        const { values, positionals } = parseArgs({
          args: [...rest],
          allowPositionals: true,
          options: { layer: { type: 'string', multiple: true }, json: { type: 'boolean', default: false } },
        });
        const result = await validate({
          cwd: io.cwd,
          dirs: positionals,
          layers: values.layer,
          ...(!values.json && { onProgress: (message: string) => io.stderr.write(`validating ${message}\n`) }),
        });
        if (values.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else {
          for (const finding of result.findings) io.stdout.write(`${formatFinding(finding)}\n`);
          for (const d of result.distributions) io.stdout.write(`${d.name}: ${d.errors} error(s), ${d.warnings} warning(s)\n`);
        }
        return result.ok ? 0 : 1;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof DistributionError) {
      io.stderr.write(`error: ${error.issues.length} problem(s); nothing was written\n`);
      for (const issue of error.issues) io.stderr.write(`  ${formatIssue(issue)}\n`);
      return 1;
    }
    if (error instanceof UsageError || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      io.stderr.write(`error: ${(error as Error).message}\n\n${HELP}`);
      return 2;
    }
    io.stderr.write(`internal error (this is a bug in canaryship, please report it):\n${(error as Error).stack ?? String(error)}\n`);
    return 70;
  }
}
