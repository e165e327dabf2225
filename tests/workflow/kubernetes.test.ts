// deploy/kubernetes, offline: rendered by `kubectl kustomize` (no cluster needed),
// every object validated against the Kubernetes API schemas (kubernetes-models),
// and checked against the code it deploys: the probes' paths answer on the port
// the container exposes, every variable is a setting the service reads, the drain
// outlasts the readiness probe and fits the termination grace period with the
// shutdown's own grace, and the pods run as the image's non-root user.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { describeSettings } from '../../src/config.js';
import { ROOT } from '../support/make.js';
import { testApp } from '../support/test-app.js';

const run = promisify(execFile);
const kubectl = await run('kubectl', ['version', '--client'], { timeout: 10_000 }).then(
  () => true,
  () => false,
);
if (!kubectl)
  console.log('kubernetes manifests not rendered: kubectl is not installed (apt-get install kubernetes-client)');

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
} & Record<
  string,
  // biome-ignore lint/suspicious/noExplicitAny: manifests are checked field by field below
  any
>;

let objects: Manifest[] = [];
const byKind = (kind: string) => objects.filter((object) => object.kind === kind);
const one = (kind: string) => {
  const [object] = byKind(kind);
  if (!object) throw new Error(`no ${kind} in the rendered base`);
  return object;
};

beforeAll(async () => {
  if (!kubectl) return;
  const { stdout } = await run('kubectl', ['kustomize', join(ROOT, 'deploy', 'kubernetes')]);
  objects = parseAllDocuments(stdout).map((document) => document.toJS() as Manifest);
});

/** The kubernetes-models class for an object's apiVersion and kind ("v1" is the core group). */
async function modelOf(object: Manifest) {
  const models = (await import(`kubernetes-models/${object.apiVersion}`)) as Record<
    string,
    new (
      data: unknown,
    ) => { validate(): void }
  >;
  const Model = models[object.kind];
  if (!Model) throw new Error(`kubernetes-models has no ${object.apiVersion} ${object.kind}`);
  return Model;
}

describe.skipIf(!kubectl)('the Kubernetes base', () => {
  it('renders the objects a deployment needs, each valid against the Kubernetes API schemas', async () => {
    expect(objects.map((object) => object.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'HorizontalPodAutoscaler',
      'Job',
      'PodDisruptionBudget',
      'Secret',
      'Service',
    ]);
    for (const object of objects) {
      const Model = await modelOf(object);
      expect(() => new Model(object).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
    }
  });

  it('names only settings the service reads, and the Secret holds no real secret', () => {
    const known = new Set(describeSettings().map((setting) => setting.name));
    const configMap = Object.keys(one('ConfigMap').data);
    const secret = one('Secret');
    expect([...configMap, ...Object.keys(secret.stringData)].filter((name) => !known.has(name))).toEqual([]);
    expect(secret.stringData.POSTGRES_PASSWORD).toMatch(/replace/);
  });

  it('probes paths that answer 200 on the port the container exposes and the service listens on', async () => {
    const [container] = one('Deployment').spec.template.spec.containers;
    const ports = Object.fromEntries(
      container.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]),
    );
    expect(ports.http).toBe(Number(one('ConfigMap').data.API_PORT));
    const app = testApp();
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const { path, port } = container[probe].httpGet;
      expect(ports[port], `${probe} port`).toBeDefined();
      expect((await app.inject({ url: path })).statusCode, `${probe} ${path}`).toBe(200);
    }
    expect(container.livenessProbe.httpGet.path).toBe('/health/live'); // never the database: an outage restarts nothing
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(ports[one('Service').spec.ports[0].targetPort]).toBeDefined();
  });

  it('drains longer than the readiness probe takes to fail, and finishes inside the termination grace period', () => {
    const pod = one('Deployment').spec.template.spec;
    const { readinessProbe } = pod.containers[0];
    const settings = one('ConfigMap').data;
    const drainMs = Number(settings.SHUTDOWN_DRAIN_MS);
    const graceMs = Number(settings.SHUTDOWN_GRACE_MS);
    expect(drainMs).toBeGreaterThan(readinessProbe.periodSeconds * readinessProbe.failureThreshold * 1000);
    expect(drainMs).toBeLessThan(pod.terminationGracePeriodSeconds * 1000);
    expect(drainMs + graceMs).toBeLessThan(pod.terminationGracePeriodSeconds * 1000);
  });

  it('selects its own pods everywhere, and keeps the budget below the autoscaler’s floor', () => {
    const deployment = one('Deployment');
    const podLabels = deployment.spec.template.metadata.labels;
    for (const selector of [
      deployment.spec.selector.matchLabels,
      one('Service').spec.selector,
      one('PodDisruptionBudget').spec.selector.matchLabels,
    ]) {
      expect(podLabels).toMatchObject(selector);
    }
    const hpa = one('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThan(one('PodDisruptionBudget').spec.maxUnavailable);
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
  });

  it('runs the image’s non-root user on a read-only root file system, and the Job the production migration entry', async () => {
    const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^USER node$/m); // uid 1000 in the node images
    for (const kind of ['Deployment', 'Job']) {
      const pod = one(kind).spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      for (const container of pod.containers) {
        expect(container.securityContext).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
        });
      }
    }
    const [migrate] = one('Job').spec.template.spec.containers;
    expect(migrate.command).toEqual(['node', 'dist/process/migrate.js']);
    const build = await readFile(join(ROOT, 'tsconfig.build.json'), 'utf8');
    expect(build).not.toContain('src/process/migrate.ts'); // built into dist/
    await expect(readFile(join(ROOT, 'src', 'process', 'migrate.ts'), 'utf8')).resolves.toContain('openMigratedPool');
  });
});
