import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './distribution.js';

/** README.md and every page under docs/, as paths from the repository's root. */
export const documentationFiles = (): string[] => [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md'))
    .map((file) => join('docs', file))
    .sort(),
];

/** The number the documentation states right before `phrase` (e.g. "47 rendered objects"), so a test can hold it to the count. */
export function documentedCount(phrase: string): number {
  for (const file of documentationFiles()) {
    const text = readFileSync(join(ROOT, file), 'utf8').replace(/\s+/g, ' ');
    const match = new RegExp(`(\\d+) ${phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).exec(text);
    if (match) return Number(match[1]);
  }
  throw new Error(`neither README.md nor docs/ states a count of "${phrase}"`);
}
