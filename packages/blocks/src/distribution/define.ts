/** What an environment package declares: which services, with which strategy, run where. */
import type { EnvironmentName, EnvironmentProfile } from '../environment.js';
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
  /** Its pods' `app.kubernetes.io/name`, and the port Flagger's webhooks reach them on. */
  readonly workload: string;
  readonly port: number;
  readonly runner: (namespace: string) => TestRunner;
  readonly objects: (namespace: string) => readonly KubernetesObject[];
}

/** Where users' requests enter: the one Service a provider exposes, in front of `upstream`. */
export interface EntryComponent {
  /** Folder of its files, and its pods' `app.kubernetes.io/name`. */
  readonly name: string;
  /** The service every user request goes to first. */
  readonly upstream: string;
  /** The container port users' requests arrive on. */
  readonly port: number;
  readonly objects: (namespace: string, profile: EnvironmentProfile) => readonly KubernetesObject[];
}

export interface DistributionDefinition<E extends EnvironmentName = EnvironmentName> {
  readonly environment: E;
  /** Namespace the app runs in (default `webapp`). */
  readonly namespace?: string;
  readonly services: readonly ServiceRelease<NoInfer<E>>[];
  readonly testRunner: TestRunnerComponent;
  readonly entry: EntryComponent;
}

export const defineDistribution = <E extends EnvironmentName>(definition: DistributionDefinition<E>): DistributionDefinition<E> =>
  definition;
