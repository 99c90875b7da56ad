export { binaryIn, cacheRoot, keyOf, toolDir, versionOf } from './cache.js';
export { atLeast, controlPlaneKubernetesVersion, goVersion, moduleDir, moduleSum, upstreamModule } from './go.js';
export { MESHES, MINIMUM_GO, NODE, SUITES, TOOLS, toolOf, UPSTREAM_MODULES, type Recipe, type Suite, type Tool, type ToolName, type UpstreamModule } from './pins.js';
export { locate, provision, toolPath, type ProvisionedTool, type ProvisionResult, type ProvisionStatus } from './provision.js';
export { run, tail, ToolFailed, ToolMissing, type RunOptions, type RunResult } from './run.js';
export { distributionLockPath, withDistributionLock } from './distribution-lock.js';
export { withProcessLock, type ProcessLock } from './process-lock.js';
export { checkSeal, seal } from './seal.js';
export { closest, failureAsJson, isSystemError, report } from './report.js';
