/**
 * Upstream files the checks read, from pinned Go modules in the module cache (never committed):
 * the Kubernetes OpenAPI of the release the control plane runs, and Flagger's CRD. Versions live in
 * @canaryship/toolchain; `canaryship setup validate` downloads the modules.
 */
import { join } from 'node:path';
import { moduleDir } from '@canaryship/toolchain';

export const kubernetesOpenApiDir = async (): Promise<string> => join(await moduleDir('kubernetes'), 'api/openapi-spec/v3');

export const flaggerCrdFile = async (): Promise<string> => join(await moduleDir('flagger'), 'artifacts/flagger/crd.yaml');
