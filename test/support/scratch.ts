/**
 * vitest globalSetup: every temporary folder of a run (a test's mkdtemp, a program a test starts)
 * goes under one folder of its own, removed when the run ends. Tests make thousands of them (one
 * per property-test case in some files); left in the system's temporary folder, they filled the
 * disk of the machine that ran the suite daily.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default (): (() => void) => {
  const previous = process.env['TMPDIR'];
  const root = mkdtempSync(join(tmpdir(), 'canaryship-test-run-'));
  // Read by os.tmpdir() in the test workers, which start after this, and by every program they run.
  process.env['TMPDIR'] = root;
  return () => {
    if (previous === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = previous;
    try {
      rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    } catch (error) {
      // A program that outlived its test may still be writing there: say so rather than fail the run.
      process.stderr.write(`could not remove ${root}: ${(error as Error).message}\n`);
    }
  };
};
