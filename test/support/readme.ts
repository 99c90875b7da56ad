import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './distribution.js';

/** The number README.md states right before `phrase` (e.g. "47 rendered objects"), so a test can hold README to it. */
export function readmeCount(phrase: string): number {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
  const match = new RegExp(`(\\d+) ${phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).exec(readme);
  if (!match) throw new Error(`README.md states no count of "${phrase}"`);
  return Number(match[1]);
}
