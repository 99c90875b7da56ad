#!/usr/bin/env node
// The steps of a provider's path against any cluster (see src/provider-path/cli.ts). A failed step
// (a timeout, kubectl refusing, a registry down) is one message and exit 1; wrong arguments exit 2.
import { CanaryshipError } from '@canaryship/blocks';
import { providerPath } from '../dist/main.js';

try {
  process.exitCode = await providerPath(process.argv.slice(2), { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr });
} catch (error) {
  if (!(error instanceof Error)) throw error;
  const usage = error instanceof CanaryshipError ? error.exitCode === 2 : error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE';
  process.stderr.write(`error: ${error.message}\n${error.hint ? `  ${error.hint.replaceAll('\n', '\n  ')}\n` : ''}`);
  process.exitCode = usage ? 2 : 1;
}
