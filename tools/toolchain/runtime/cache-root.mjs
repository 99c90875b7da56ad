// @ts-check
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where canaryship keeps what it provisions (programs, upstream modules, Node): CANARYSHIP_CACHE, or
 * canaryship/ under XDG_CACHE_HOME or ~/.cache. Plain JavaScript, so npm's postinstall reads it before
 * anything is built.
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {string}
 */
export const cacheRoot = (env = process.env) => env['CANARYSHIP_CACHE'] || join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'canaryship');
