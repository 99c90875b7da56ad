/** What an environment package declares: which services, with which strategy, run where. */
import type { EnvironmentName } from '../environment.js';
import type { ServiceInput } from '../service/input.js';
import type { StrategyFor } from '../strategy/strategies.js';
import type { TestRunner } from '../webhooks/test-runner.js';
import type { KubernetesObject } from './objects.js';

export interface ServiceRelease<E extends EnvironmentName> {
  readonly input: ServiceInput;
  /** Must be a strategy the environment's provider can run: a wrong one does not compile. */
  readonly strategy: StrategyFor<E>;
}

/** The component the webhooks call, with the objects that run it. */
export interface TestRunnerComponent {
  /** Folder of its files in the distribution. */
  readonly name: string;
  readonly runner: (namespace: string) => TestRunner;
  readonly objects: (namespace: string) => readonly KubernetesObject[];
}

export interface DistributionDefinition<E extends EnvironmentName = EnvironmentName> {
  readonly environment: E;
  /** Namespace the app runs in (default `webapp`). */
  readonly namespace?: string;
  readonly services: readonly ServiceRelease<NoInfer<E>>[];
  readonly testRunner: TestRunnerComponent;
}

export const defineDistribution = <E extends EnvironmentName>(definition: DistributionDefinition<E>): DistributionDefinition<E> =>
  definition;
