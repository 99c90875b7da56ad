/** Pod templates meet Pod Security "restricted" and the operational basics, in every distribution. */
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, renderedDistribution, ofKind, type Obj } from '../support/distribution.js';

describe.each(ENVIRONMENT_NAMES)('%s pod templates', (env) => {
  const objects = renderedDistribution(env);
  const deployments = ofKind(objects, 'Deployment');

  it.each(deployments.map((d) => [d.metadata.name, d] as const))('%s meets restricted', (_name, deployment) => {
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.seccompProfile.type).toBe('RuntimeDefault');
    expect(pod.automountServiceAccountToken).toBe(false);
    for (const container of pod.containers as Obj[]) {
      const sc = container.securityContext;
      expect(sc.allowPrivilegeEscalation).toBe(false);
      expect(sc.capabilities.drop).toEqual(['ALL']);
      expect(sc.capabilities.add).toBeUndefined();
      expect(sc.readOnlyRootFilesystem).toBe(true);
      expect(Number.isInteger(pod.securityContext.runAsUser) && pod.securityContext.runAsUser > 0).toBe(true);
      const writable = (container.volumeMounts as Obj[]).filter((m) => !m.readOnly).map((m) => m.name);
      for (const name of writable) {
        expect((pod.volumes as Obj[]).find((v) => v.name === name)?.emptyDir, `${name} is an emptyDir`).toBeDefined();
      }
    }
  });

  it.each(deployments.map((d) => [d.metadata.name, d] as const))('%s has requests, limits, probes and a pinned image', (_name, deployment) => {
    for (const container of deployment.spec.template.spec.containers as Obj[]) {
      expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);
      expect(Object.keys(container.resources.limits).sort()).toEqual(['cpu', 'memory']);
      expect(container.livenessProbe).toBeDefined();
      expect(container.readinessProbe).toBeDefined();
      // A release tag (podinfo 6.14.1, envoy distroless-v1.39.6), never latest or a floating minor.
      expect(container.image).toMatch(/:([a-z]+-)?v?\d+\.\d+\.\d+$/);
    }
  });

  it('runs every podinfo service on one pinned version', () => {
    const tags = new Set(
      deployments.flatMap((d) => (d.spec.template.spec.containers as Obj[]).map((c) => c.image as string)).filter((i) => i.includes('podinfo')),
    );
    expect(tags.size).toBe(1);
  });
});
