/**
 * The pinned programs the tests run, as `canaryship setup test` provisioned them (npm test runs it
 * first): a test never downloads or builds anything inside its own timeout.
 */
import { toolPath, type ToolName } from '@canaryship/toolchain';

const found = new Map<ToolName, Promise<string>>();

export const tool = (name: ToolName): Promise<string> => {
  let path = found.get(name);
  if (!path) {
    path = toolPath(name);
    found.set(name, path);
  }
  return path;
};
