/** A service package's export: its typed input, its strategy for every environment, its base objects. */
import type { StrategyVariants } from '../strategy/strategies.js';
import type { ServiceObjects } from '../workload/service-objects.js';
import type { ServiceInput } from './input.js';
import { baseObjects } from './parse.js';

export interface ServiceDefinition<S extends StrategyVariants = StrategyVariants> {
  readonly input: ServiceInput;
  readonly strategies: S;
  /** ConfigMap, Deployment, HPA, PDB and Service in a namespace; throws DistributionError on a bad input. */
  readonly baseObjects: (namespace: string) => ServiceObjects;
}

/** Keeps the precise strategy types (`const`) so an environment cannot pick a variant its provider cannot run. */
export const defineService = <const S extends StrategyVariants>(input: ServiceInput, strategies: S): ServiceDefinition<S> => ({
  input,
  strategies,
  baseObjects: (namespace) => baseObjects(input, namespace),
});
