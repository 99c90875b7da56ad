#!/usr/bin/env node
// The steps of a provider's path against any cluster (see src/provider-path/cli.ts).
import { CanaryshipError } from '@canaryship/blocks';
import { providerPath } from '../dist/main.js';

try {
  process.exitCode = await providerPath(process.argv.slice(2), { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr });
} catch (error) {
  if (!(error instanceof CanaryshipError) && error?.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw error;
  process.stderr.write(`error: ${error.message}\n${error.hint ? `  ${error.hint.replaceAll('\n', '\n  ')}\n` : ''}`);
  process.exitCode = error.exitCode ?? 2;
}
