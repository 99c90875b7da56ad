/**
 * vitest globalSetup: every program a suite runs must already be provisioned (`canaryship setup`,
 * which `npm test` and `npm run test:cluster` run first). Checked once, before any test: a missing
 * one fails the run with one line naming it and the command to run, and no test ever builds or
 * downloads inside its own timeout.
 */
import { locate, SUITES, type Suite, type ToolName } from '@canaryship/toolchain';

export async function verifyProvisioned(suite: Suite): Promise<void> {
  const tools = SUITES[suite].tools as readonly ToolName[];
  const missing = (await Promise.all(tools.map(async (name) => ((await locate(name)) ? undefined : name)))).filter(Boolean);
  if (missing.length > 0) {
    throw new Error(`not provisioned: ${missing.join(', ')}; run \`npx canaryship setup ${suite}\` first (npm ${suite === 'cluster' ? 'run test:cluster' : 'test'} does)`);
  }
}

export default (): Promise<void> => verifyProvisioned('test');
