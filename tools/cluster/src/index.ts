export { locateBinaries, type Binaries } from './binaries.js';
export { formatTable, runCanaries, type CanaryResult, type EnvironmentReport, type ManifestResult, type RunReport } from './canary-runs.js';
export { startControlPlane, type ControlPlane } from './control-plane.js';
export { kubectlFor, type Kubectl } from './kubectl.js';
export { SHORTENED, shortenAnalysis, shortenedFields, writeOverlay } from './overlay.js';
export { predictedTicks, predictedWindow, strategyOf, type Scenario, type StrategyName } from './timeline.js';
export { startTelemetry, type Behaviour, type Shape, type Telemetry } from './telemetry.js';
export { freePort } from './ports.js';
export { httpOk, ProcessGroup, waitUntil } from './processes.js';
