// @ts-check
/**
 * What every committed bin stub does before its built command line runs (the stubs exist so npm can
 * link the bins before the first build): refuse a Node outside the supported range with one line
 * that says what to do, turn on Node's module compile cache, then load and run `main` from dist/.
 *
 * Plain JavaScript that any Node since 18 parses, so an old Node gets the sentence, not a syntax error.
 */
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import { NODE, supports } from './node.mjs';

/**
 * Why this Node cannot run a command, or undefined when it can.
 * @param {string} name the command, as users type it
 * @param {string} version a Node version, e.g. process.versions.node
 * @returns {string | undefined}
 */
export function nodeProblem(name, version) {
  if (supports(version)) return undefined;
  return (
    `${name} needs Node ${NODE.supported}; this is Node ${version}\n` +
    `  run it through npm in the repository (npx ${name}, or an npm script) after \`npm ci\`, which provides Node ${NODE.provision.version}; or install Node 24`
  );
}

/**
 * @param {string} name the command, as users type it
 * @param {URL} mainUrl its built entry (dist/main.js), exporting `main(args, io)`
 * @param {string} [nodeVersion] the Node it runs on
 */
export async function start(name, mainUrl, nodeVersion = process.versions.node) {
  const problem = nodeProblem(name, nodeVersion);
  if (problem) {
    process.stderr.write(`error: ${problem}\n`);
    process.exit(2);
  }
  // Compiled code of every module loaded from here on is kept (NODE_COMPILE_CACHE, or Node's default
  // folder under the system's temporary directory) and reused by the next run: see `npm run bench`.
  module.enableCompileCache?.();
  /** @type {(args: string[], io: { cwd: string, stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream }) => Promise<number>} */
  let main;
  try {
    ({ main } = await import(mainUrl.href));
  } catch (error) {
    const e = /** @type {NodeJS.ErrnoException} */ (error);
    if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes(fileURLToPath(mainUrl))) throw error;
    process.stderr.write(`error: ${name} is not built yet\n  run \`npm run build\` in the repository first\n`);
    process.exit(2);
  }
  // A reader that stops early (`| head`) closes the pipe: the command ends there, quietly, with the
  // status of a process killed by SIGPIPE (141, as kubectl and flux end), not with a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (/** @type {NodeJS.ErrnoException} */ error) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(128 + 13);
    });
  }
  process.exitCode = await main(process.argv.slice(2), { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr });
}
