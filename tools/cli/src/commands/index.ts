/** Every command of the CLI, in help order. */
import type { Command } from '../command.js';
import { buildAffectedCommand } from './build-affected.js';
import { diffCommand } from './diff.js';
import { newServiceCommand } from './new-service.js';
import { publishCommand } from './publish.js';
import { releaseCommand } from './release.js';
import { renderCommand } from './render.js';
import { validateCommand } from './validate.js';

export const COMMANDS: readonly Command[] = [renderCommand, validateCommand, buildAffectedCommand, publishCommand, diffCommand, releaseCommand, newServiceCommand];
