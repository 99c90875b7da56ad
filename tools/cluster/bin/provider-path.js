#!/usr/bin/env node
// The steps of a provider's path against any cluster (see src/provider-path/cli.ts). Committed
// entry point, so npm can link the bin before the first build; the code lives in dist/.
let main;
try {
  ({ main } = await import('../dist/main.js'));
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/main.js')) throw error;
  process.stderr.write('error: tools/cluster is not built yet\n  run `npm run build` in the repository first\n');
  process.exit(2);
}
process.exitCode = await main(process.argv.slice(2), { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr });
