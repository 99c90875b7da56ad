#!/usr/bin/env node
// The steps of a provider's path against any cluster (see src/provider-path/cli.ts). A step that
// fails (a timeout, kubectl refusing, a registry down) is one message and exit 1; wrong arguments
// exit 2 with the usage; a bug keeps its stack trace.
let providerPath;
try {
  ({ providerPath } = await import('../dist/main.js'));
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/main.js')) throw error;
  process.stderr.write('error: tools/cluster is not built yet\n  run `npx nx run-many -t build` in the repository first\n');
  process.exit(2);
}
const { CanaryshipError } = await import('@canaryship/blocks');

try {
  process.exitCode = await providerPath(process.argv.slice(2), { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr });
} catch (error) {
  const bug = !(error instanceof Error) || error instanceof TypeError || error instanceof ReferenceError || error instanceof RangeError || error instanceof SyntaxError;
  if (bug) throw error;
  process.stderr.write(`error: ${error.message}\n${error instanceof CanaryshipError && error.hint ? `  ${error.hint.replaceAll('\n', '\n  ')}\n` : ''}`);
  process.exitCode = error instanceof CanaryshipError ? error.exitCode : 1;
}
