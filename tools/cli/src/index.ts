export { main } from './main.js';
export { render, renderFiles, renderTo, UsageError, type RenderOptions, type RenderResult } from './commands/render.js';
export { writeTreeAtomically, type TreeFile } from './fs/write-tree.js';
export { validate, type ValidateCommandOptions, type ValidateResult } from './commands/validate.js';
