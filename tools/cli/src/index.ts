export { main, overview, commandHelp } from './main.js';
export { UsageError, type CommandModule, type CommandSpec, type Io } from './command.js';
export { COMMANDS, DEFAULT_LAYOUT } from './commands/index.js';
export { render, renderFiles, renderTo, type RenderOptions, type RenderResult } from './commands/render.js';
export { validate, type ValidateCommandOptions, type ValidateResult } from './commands/validate.js';
export { writeTreeAtomically, type TreeFile } from './fs/write-tree.js';
export { scaffold, starterInput } from './commands/new-service.js';
